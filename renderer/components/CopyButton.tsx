/** A small button that copies a value (a task id) to the clipboard and says so. */
import { useState } from 'react';
import { announce } from '../lib/announce.js';
import { CheckIcon, CopyIcon } from './debug/icons.js';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an embedded page): select the text in a hidden field instead.
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="copy-btn"
      aria-label={label}
      title={`${label}: ${text}`}
      data-testid="copy"
      onClick={() =>
        void copy(text).then((ok) => {
          announce(ok ? `Copied ${text}.` : 'Copying failed: select the text and copy it.');
          if (!ok) return;
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? <CheckIcon /> : <CopyIcon />}
    </button>
  );
}
