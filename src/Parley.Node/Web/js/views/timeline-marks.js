// What a conversation's timeline shows between messages: a divider where the day changes, "new
// messages" before the first unread one, a line when there is nothing yet; and keeping the reader's
// place when the window (so the timeline) is resized.

import { h } from '../dom.js';
import { unreadMarker } from './room-timeline.js';

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  const sameYear = date.getFullYear() === today.getFullYear();
  return date.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric', year: sameYear ? undefined : 'numeric' });
}

/** Puts the day dividers back where the days change, and the empty line when there are no messages. */
export function renderMarks(list, emptyText) {
  list.querySelectorAll(':scope > .day-divider, :scope > .empty-chat').forEach(el => el.remove());
  let day = null;
  for (const item of [...list.children]) {
    if (!item.dataset.sentAt) continue;
    const date = new Date(item.dataset.sentAt);
    if (date.toDateString() === day) continue;
    day = date.toDateString();
    item.before(h('li', { class: 'day-divider', role: 'separator', 'aria-label': dayLabel(date) }, h('span', null, dayLabel(date))));
  }
  if (day === null && emptyText) list.append(h('li', { class: 'empty-chat' }, emptyText));
}

/** "new messages" before the first of the last <unread> messages that came in; false when none are unread. */
export function markFirstUnread(list, unread) {
  if (!unread) return false;
  const incoming = list.querySelectorAll(':scope > .msg.in');
  // Further back than the page loaded: no divider (scrolling to it would load every page before it).
  const first = unread <= incoming.length ? incoming[incoming.length - unread] : null;
  if (!first) return false;
  first.before(unreadMarker());
  first.scrollIntoView({ block: 'center' });
  return true;
}

/**
 * Keeps the reader's place when the scroller changes size: at the bottom it stays at the bottom,
 * otherwise the message at the top of the view stays where it was. Returns a stop function.
 */
export function keepPlace(scroller, list) {
  let atBottom = true;
  let anchor = null;
  let anchorTop = 0;
  const top = el => el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  let size = '';
  const sizeNow = () => `${scroller.clientWidth}x${scroller.clientHeight}`;
  const remember = () => {
    // A resize scrolls first (the browser clamps and anchors) and is reported after: keep the place from before it.
    if (size && sizeNow() !== size) return;
    atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    anchor = [...list.children].find(el => top(el) + el.offsetHeight > 0) ?? null;
    anchorTop = anchor ? top(anchor) : 0;
  };
  const restore = () => {
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
    else if (anchor?.isConnected) scroller.scrollTop += top(anchor) - anchorTop;
    remember();
  };
  scroller.addEventListener('scroll', remember, { passive: true });
  // The list grows without scrolling (a reaction, a message below the fold): that changes where we
  // are, so remember it; only a change of the scroller's own size (the window) is put back.
  const observer = new ResizeObserver(() => {
    if (sizeNow() === size) remember();
    else {
      size = sizeNow();
      restore();
    }
  });
  observer.observe(scroller);
  observer.observe(list);
  return () => { observer.disconnect(); scroller.removeEventListener('scroll', remember); };
}
