import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config';

describe('resolveConfig', () => {
  it('reads the channel and the server from the script URL', () => {
    expect(resolveConfig({ src: 'https://chat.example.com/widget/42.js', dataset: {} }, 'https://shop.example'))
      .toEqual({ channelId: '42', apiBase: 'https://chat.example.com' });
    expect(resolveConfig({ src: 'https://chat.example.com:8443/widget/7.js?v=2', dataset: {} }, 'https://shop.example'))
      .toEqual({ channelId: '7', apiBase: 'https://chat.example.com:8443' });
  });

  it('takes data attributes for local development, else the page origin', () => {
    expect(resolveConfig({ src: 'http://localhost:5173/src/main.ts', dataset: { channelId: '3' } }, 'http://localhost:5173'))
      .toEqual({ channelId: '3', apiBase: 'http://localhost:5173' });
    expect(resolveConfig({ src: '', dataset: { channelId: '3', apiBase: 'http://127.0.0.1:5000/' } }, 'http://localhost:5173'))
      .toEqual({ channelId: '3', apiBase: 'http://127.0.0.1:5000' });
  });

  it('refuses what names no channel', () => {
    expect(resolveConfig(null, 'https://shop.example')).toBeNull();
    expect(resolveConfig({ src: 'https://chat.example.com/widget/abc.js', dataset: {} }, 'https://shop.example')).toBeNull();
    expect(resolveConfig({ src: 'https://chat.example.com/widget/42.json', dataset: {} }, 'https://shop.example')).toBeNull();
    expect(resolveConfig({ src: '', dataset: { channelId: '4; alert(1)' } }, 'https://shop.example')).toBeNull();
  });
});
