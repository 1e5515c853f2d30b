import { resolveConfig } from './config';
import { ChatWidget } from './widget';

// Read while this script runs: document.currentScript is only set then (and never for module scripts, as in demo.html,
// which marks its tag with data-channel-id instead).
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-channel-id]');
const config = resolveConfig(script ? { src: script.src, dataset: script.dataset } : null, location.origin);

if (!config) {
  console.error('Switchboard chat: load the widget as <script src="https://<server>/widget/<channelId>.js" async></script>.');
} else if (document.body) {
  new ChatWidget(config).mount(document.body);
} else {
  document.addEventListener('DOMContentLoaded', () => new ChatWidget(config).mount(document.body), { once: true });
}
