// Frame rate first for the camera when the machine is short of CPU. A busy encoder makes the sender
// hold camera frames back (one frame in the encoder at a time, the newest waiting) and lose those a newer
// one replaces, so the picture is late and stutters; a frame that finds the encoder busy counts as skipped. WebRTC's
// 'maintain-framerate' answers by sending a smaller picture, and so does this: a step smaller while
// many frames are being skipped, a step back up after a calm spell. Chromium's VideoEncoder scales each
// frame to the size it is configured for, so a step costs a reconfigure and one keyframe, nothing per
// frame. The shared screen is left alone: its text must stay readable, so it loses frames instead
// (the skipping does exactly that).

const FACTORS = [1, 0.75, 0.5]; // of the captured size; 720p goes to 540p and 360p at most, never below MIN_HEIGHT
const MIN_HEIGHT = 180;
const WINDOW_MS = 2000; // skipped frames are judged per window
const DOWN_SKIPPED = 0.15; // more than this share of a window's frames skipped: a step smaller
const UP_SKIPPED = 0.03; // under this for `upAfter`: a step larger
const UP_AFTER_MS = 10_000; // doubled whenever a step up is taken back within UP_TRIAL_MS, so it does not flap
const UP_AFTER_MAX_MS = 80_000;
const UP_TRIAL_MS = 6000;

export class CameraScale {
  constructor() {
    this.step = 0;
    this.windowStart = -1;
    this.frames = 0;
    this.skipped = 0;
    this.calmSince = null;
    this.upAfter = UP_AFTER_MS;
    this.raisedAt = -Infinity;
  }

  /** The size to encode a captured frame at, both even (as the codecs want). */
  size(width, height) {
    const factor = FACTORS[this.step];
    return { width: 2 * Math.round(width * factor / 2), height: 2 * Math.round(height * factor / 2) };
  }

  /** Counts a camera frame, `skipped` when the encoder was still busy with the last; `size()` follows any step taken. */
  count(now, skipped, capturedHeight) {
    if (this.windowStart < 0) this.windowStart = now;
    this.frames++;
    if (skipped) this.skipped++;
    if (now - this.windowStart < WINDOW_MS) return;
    const share = this.skipped / this.frames;
    this.windowStart = now;
    this.frames = 0;
    this.skipped = 0;
    if (share > DOWN_SKIPPED) {
      this.calmSince = null;
      if (this.step + 1 >= FACTORS.length || capturedHeight * FACTORS[this.step + 1] < MIN_HEIGHT) return;
      if (now - this.raisedAt < UP_TRIAL_MS) this.upAfter = Math.min(2 * this.upAfter, UP_AFTER_MAX_MS);
      this.step++;
      return;
    }
    if (share >= UP_SKIPPED || this.step === 0) {
      this.calmSince = null;
      return;
    }
    this.calmSince ??= now;
    if (now - this.calmSince < this.upAfter) return;
    this.step--;
    this.calmSince = null;
    this.raisedAt = now;
  }
}
