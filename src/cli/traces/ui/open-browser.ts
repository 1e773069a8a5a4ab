/**
 * Opening a URL in the default browser: `open` on macOS, `start` on Windows, `xdg-open` elsewhere.
 * Best effort: no browser (no display, a server, a container) is not an error, and the URL is never put in
 * anything but the opener's own arguments.
 */
import { spawn } from "node:child_process";

export function openBrowser(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): void {
  // Without a display, xdg-open would fall back to a terminal browser on the terminal claudia prints to.
  if (platform !== "darwin" && platform !== "win32" && !env.DISPLAY && !env.WAYLAND_DISPLAY) return;
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
