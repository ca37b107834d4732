/**
 * The canvas interaction the workbench bench and its profile both time: zoom in on the middle
 * of the drawn graph, pan, zoom out again (wheel steps 60 ms apart, as a user's scroll arrives).
 */
import type { Page } from '@playwright/test';

export async function interactWithCanvas(page: Page): Promise<void> {
  const box = await page.locator('.canvas-wrap').boundingBox();
  if (!box) throw new Error('interactWithCanvas: the page has no visible .canvas-wrap');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(500);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(cx - i * 40, cy - i * 20, { steps: 2 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(800);
}
