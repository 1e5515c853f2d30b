/** Which channel the widget serves and where its server is, read from the script tag that loaded it. */
export interface WidgetConfig {
  channelId: string;
  apiBase: string;
}

export interface ScriptTag {
  src: string;
  dataset: { channelId?: string; apiBase?: string };
}

const SCRIPT_PATH = /\/widget\/(\d+)\.js(?:[?#]|$)/;

/**
 * `<script src="https://host/widget/42.js">` serves channel 42 of https://host. For local development a tag may say
 * `data-channel-id` (and `data-api-base`, else the page's own origin) instead.
 */
export function resolveConfig(script: ScriptTag | null, pageOrigin: string): WidgetConfig | null {
  if (!script) return null;
  const { channelId, apiBase } = script.dataset;
  if (channelId && /^\d+$/.test(channelId)) {
    return { channelId, apiBase: trimSlash(apiBase || (script.src ? new URL(script.src).origin : pageOrigin)) };
  }
  const match = SCRIPT_PATH.exec(script.src);
  return match ? { channelId: match[1], apiBase: new URL(script.src).origin } : null;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
