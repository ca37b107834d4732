/**
 * The controls of a filter bar above a list (the sidebar's task list, the cluster view): a search
 * box that Escape empties, and a select whose first option means "no filter". Each bar keeps
 * its own state and layout; these keep the controls' behaviour, labelling and look (the
 * `filter-control` class, styles.css) the same in both.
 */
export interface FilterOption<V extends string> {
  value: V;
  label: string;
}

export function FilterSelect<V extends string>(props: {
  label: string;
  value: V;
  onChange: (value: V) => void;
  /** The first option: no filter. */
  all: FilterOption<V>;
  options: ReadonlyArray<FilterOption<V>>;
  testId?: string;
}) {
  const { label, value, onChange, all, options, testId } = props;
  return (
    <select className="filter-control" aria-label={label} value={value} onChange={(e) => onChange(e.target.value as V)} data-testid={testId}>
      {[all, ...options].map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

export function SearchBox(props: { label: string; placeholder: string; value: string; onChange: (value: string) => void; className?: string; testId?: string }) {
  const { label, placeholder, value, onChange, className, testId } = props;
  return (
    <input
      type="search"
      className={className ? `filter-control ${className}` : 'filter-control'}
      aria-label={label}
      placeholder={placeholder}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      onKeyDown={(e) => e.key === 'Escape' && onChange('')}
      data-testid={testId}
    />
  );
}
