// Object URLs of image BLOBs (grid thumbnails, the inspector's preview):
// made once per value and kept in a small LRU, so scrolling does not
// decode the same bytes again; evicted URLs are revoked. The CSP allows
// `blob:` in img-src (src-tauri/tauri.conf.json).
import { base64ToBytes } from "../values";

const MAX = 300;
const urls = new Map<string, string>();

export function imageUrl(b64: string, mime: string): string {
  const id = `${mime}\u0000${b64}`;
  const hit = urls.get(id);
  if (hit) {
    urls.delete(id);
    urls.set(id, hit);
    return hit;
  }
  const bytes = base64ToBytes(b64);
  const url = URL.createObjectURL(new Blob([bytes.buffer as ArrayBuffer], { type: mime }));
  urls.set(id, url);
  while (urls.size > MAX) {
    const [oldest, old] = urls.entries().next().value as [string, string];
    urls.delete(oldest);
    URL.revokeObjectURL(old);
  }
  return url;
}
