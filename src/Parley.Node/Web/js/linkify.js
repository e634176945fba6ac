// Web addresses in message text become links. Only http and https: anything else stays text. The
// node never fetches them (no previews), and a link opens in a new tab that cannot reach back to
// this page (noopener) nor learn where it came from (noreferrer).

import { h } from './dom.js';

const ADDRESS = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the address ("see https://example.org."). */
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The text as text and link nodes, for h() or put(). */
export function linkify(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const raw = match[0].replace(TRAILING, '');
    parts.push(text.slice(last, match.index));
    parts.push(link(raw) ?? raw);
    last = match.index + raw.length;
  }
  parts.push(text.slice(last));
  return parts.filter(part => part !== '');
}

function link(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer' }, raw);
}
