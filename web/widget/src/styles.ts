/** Lives in the widget's shadow root, so the host page's styles neither reach in nor are touched. */
export const styles = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; }
button { font: inherit; cursor: pointer; }
.launcher { position: relative; width: 56px; height: 56px; border: 0; border-radius: 50%; background: var(--sb-primary); color: var(--sb-on-primary);
  box-shadow: 0 4px 14px rgba(0, 0, 0, .25); display: grid; place-items: center; }
.launcher svg { width: 26px; height: 26px; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px; background: #c92a2a; color: #fff;
  font-size: 12px; font-weight: 700; line-height: 22px; text-align: center; }
.badge[hidden] { display: none; }
.panel { position: absolute; right: 0; bottom: 72px; width: 360px; height: min(560px, calc(100vh - 112px)); display: flex; flex-direction: column;
  background: var(--sb-background); border-radius: 12px; box-shadow: 0 8px 30px rgba(0, 0, 0, .25); overflow: hidden; }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 12px 16px; background: var(--sb-primary); color: var(--sb-on-primary); }
h2 { margin: 0 auto 0 0; font-size: 16px; font-weight: 600; }
.end { border: 1px solid currentColor; border-radius: 6px; padding: 3px 10px; background: transparent; color: inherit; font-size: 13px; }
.close { width: 32px; height: 32px; border: 0; border-radius: 6px; background: transparent; color: inherit; font-size: 22px; line-height: 1; }
.messages { flex: 1; margin: 0; padding: 12px; list-style: none; overflow-y: auto; display: flex; flex-direction: column; gap: 8px; }
.message { max-width: 85%; display: flex; flex-direction: column; }
.message.agent { align-self: flex-start; }
.message.customer { align-self: flex-end; align-items: flex-end; }
.who { font-size: 12px; color: #52606d; margin: 0 4px 2px; }
.bubble { padding: 8px 12px; border-radius: 14px; background: #eef0f3; overflow-wrap: anywhere; }
.customer .bubble { background: var(--sb-primary); color: var(--sb-on-primary); }
.customer .bubble a { color: inherit; }
.meta { font-size: 11px; color: #616e7c; margin: 2px 4px 0; }
.intro { display: grid; gap: 6px; padding: 8px 12px 0; border-top: 1px solid #e4e7eb; }
.intro[hidden] { display: none; }
.intro p { margin: 0; font-size: 13px; color: #52606d; }
label { font-size: 13px; font-weight: 600; }
input, textarea { width: 100%; font: inherit; padding: 8px 10px; border: 1px solid #9aa5b1; border-radius: 8px; background: #fff; color: #1f2933; }
.composer { display: flex; gap: 8px; align-items: flex-end; padding: 12px; }
.composer textarea { resize: none; max-height: 120px; }
.send, .restart { border: 0; border-radius: 8px; padding: 9px 14px; background: var(--sb-primary); color: var(--sb-on-primary); font-weight: 600; }
.send:disabled { opacity: .6; cursor: default; }
.error { margin: 0 12px 8px; font-size: 13px; color: #c92a2a; }
.error:empty { display: none; }
.confirm { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 12px 8px; padding: 10px 12px; border: 1px solid #e4e7eb; border-radius: 8px; background: #fff; }
.confirm[hidden] { display: none; }
.confirm p { flex-basis: 100%; margin: 0; font-size: 14px; }
.confirm button { border-radius: 8px; padding: 7px 12px; font-weight: 600; }
.confirm-end { border: 0; background: #c92a2a; color: #fff; }
.confirm-cancel { border: 1px solid #9aa5b1; background: #fff; color: #1f2933; }
.ended { text-align: center; }
.ended-text { margin: 12px 12px 8px; font-size: 14px; color: #52606d; }
.ended-text:empty { display: none; }
.restart { margin: 0 12px 12px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
@media (max-width: 480px) {
  .root { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
}
@media (prefers-reduced-motion: no-preference) { .launcher { transition: transform .15s; } .launcher:hover { transform: scale(1.06); } }
`;
