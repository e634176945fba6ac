// The page's two sounds, made with Web Audio (no sound files to fetch): a ringtone while a call
// rings, and a short chime for a message. Each can be turned off; the choice stays in this browser.
// Browsers keep audio silent until the person has touched the page, so the first click or key
// wakes the audio up.

const PREFS_KEY = 'parley-sounds';
const RING_EVERY_MS = 3000;

export const soundPrefs = { ring: true, message: true, ...readPrefs() };

function readPrefs() {
  try { return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}'); } catch { return {}; }
}

/** Turns one sound ('ring' or 'message') on or off, remembered in this browser. */
export function setSound(kind, enabled) {
  soundPrefs[kind] = enabled;
  localStorage.setItem(PREFS_KEY, JSON.stringify(soundPrefs));
  if (kind === 'ring' && !enabled) ringtone(false);
}

let audio = null;
function output() {
  audio ??= new AudioContext();
  if (audio.state === 'suspended') audio.resume().catch(() => {});
  return audio;
}
for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => output(), { once: true, capture: true });

/** Notes of `seconds` each from `at` (seconds from now), softly faded in and out so they do not click. */
function play(notes, at = 0, seconds = 0.15, volume = 0.08) {
  const context = output();
  notes.forEach((frequency, i) => {
    const start = context.currentTime + at + i * seconds;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(volume, start + 0.02);
    gain.gain.linearRampToValueAtTime(0, start + seconds);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds);
  });
}

/** A message arrived. */
export function chime() {
  if (soundPrefs.message) play([880, 1320], 0, 0.12);
}

let ringTimer = null;
/** Starts (true) or stops (false) the ringtone: a rising three-note phrase every three seconds. */
export function ringtone(ringing) {
  if (ringing && soundPrefs.ring && !ringTimer) {
    const phrase = () => play([660, 880, 990, 660, 880, 990], 0, 0.18, 0.1);
    phrase();
    ringTimer = setInterval(phrase, RING_EVERY_MS);
  } else if (!ringing && ringTimer) {
    clearInterval(ringTimer);
    ringTimer = null;
  }
}
