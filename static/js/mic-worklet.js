// The microphone on the audio thread: every ~20 ms, its samples as 16-bit PCM and their level
// (RMS), stamped with the audio clock. Runs at the recording context's rate (16 kHz where the
// browser allows it) and never stalls in a background tab, unlike a timer.
const BATCH = 320;   // samples per message (20 ms at 16 kHz)

class MicCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.pcm = new Int16Array(BATCH);
    this.filled = 0;
    this.sum = 0;
    this.samples = 0;   // taken so far: the position of the next sample
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.pcm[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      this.sum += s * s;
      if (this.filled === BATCH) this.flush();
    }
    return true;
  }

  flush() {
    const pcm = this.pcm.slice(0, this.filled);
    this.samples += this.filled;
    // `end`: the audio clock (s) at the last sample; `samples`: the position after this batch.
    this.port.postMessage({ pcm, level: Math.sqrt(this.sum / this.filled), end: currentTime, samples: this.samples }, [pcm.buffer]);
    this.filled = 0;
    this.sum = 0;
  }
}

registerProcessor('clawmux-mic', MicCapture);
