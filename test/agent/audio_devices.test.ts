import { describe, expect, it } from 'vitest';
import { missingForVoice, parseAsoundPcm } from '../../src/agent/console/audio_devices.js';
import { chooseAudioDevice } from '../../src/agent/console/sox_audio.js';

describe('console --voice: what the machine has', () => {
  it('counts capture and playback devices as /proc/asound/pcm lists them', () => {
    const pcm = [
      '00-00: ALC257 Analog : ALC257 Analog : playback 1 : capture 1',
      '00-03: HDMI 0 : HDMI 0 : playback 1',
      '01-00: USB Audio : USB Audio : capture 1',
    ].join('\n');
    expect(parseAsoundPcm(pcm)).toEqual({ capture: 2, playback: 2 });
    expect(parseAsoundPcm('')).toEqual({ capture: 0, playback: 0 });
  });

  it('names each missing part and what to do, and nothing when all are there', () => {
    expect(missingForVoice({ capture: 0, playback: 1, sox: true })).toEqual([
      'no microphone: this machine has no audio capture device (/proc/asound/pcm lists none)',
    ]);
    expect(missingForVoice({ capture: 1, playback: 0, sox: false })).toEqual([
      'no speaker: this machine has no audio playback device (/proc/asound/pcm lists none)',
      "sox's rec and play are not installed (Debian/Ubuntu: apt-get install sox)",
    ]);
    expect(missingForVoice({ capture: 1, playback: 1, sox: true })).toEqual([]);
  });

  it('uses --audio-device, else AUDIODEV (sox’s variable), else the ALSA default; only a named device skips the hardware check', () => {
    expect(chooseAudioDevice('pulse', { AUDIODEV: 'hw:1' })).toEqual({ name: 'pulse', explicit: true });
    expect(chooseAudioDevice(undefined, { AUDIODEV: 'hw:1' })).toEqual({ name: 'hw:1', explicit: true });
    expect(chooseAudioDevice(undefined, { AUDIODEV: '' })).toEqual({ name: 'default', explicit: false });
    expect(chooseAudioDevice(undefined, {})).toEqual({ name: 'default', explicit: false });
  });
});
