/**
 * The sandboxed preload. The page talks to the host over its WebSocket like any browser tab,
 * so the bridge only tells it that it runs in the desktop app (for small UI differences).
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('stepwiseDesktop', {
  platform: process.platform,
  desktop: true,
});
