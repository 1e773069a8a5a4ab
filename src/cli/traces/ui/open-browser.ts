/**
 * Opening a URL in the default browser: `open` on macOS, `start` on Windows, `xdg-open` elsewhere.
 * Best effort: no browser (no display, a server, a container) is not an error. The URL is on the
 * opener's command line, which other local users can read: the viewer gives it a private file's.
 */
import { spawn } from "node:child_process";

/** Whether a browser can be shown: without a display, xdg-open would fall back to a terminal browser on claudia's terminal. */
export const canOpenBrowser = (env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean =>
  platform === "darwin" || platform === "win32" || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);

export function openBrowser(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): void {
  if (!canOpenBrowser(env, platform)) return;
  const [command, args] =
    platform === "darwin"
      ? ["open", [url]]
      : platform === "win32"
        ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.once("error", () => {});
    child.unref();
  } catch {
    // Nothing to open the page with: the printed URL is enough.
  }
}
