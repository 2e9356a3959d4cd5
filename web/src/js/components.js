// Reusable pieces used inside pages: the tag input (bound with x-model through x-modelable),
// the password field's show/hide and Caps Lock state, this device's push switch (push-device.js) and
// the live room's monitor (room-monitor.js).
import Alpine from '@alpinejs/csp';
import { registerPushDevice } from './push-device.js';
import { registerRoomMonitor } from './room-monitor.js';

export function registerComponents() {
  registerPushDevice();
  registerRoomMonitor();

  Alpine.data('tagInput', ({ max = 20, maxLength = 40 } = {}) => ({
    tags: [],
    draft: '',
    tagError: '',

    add() {
      const pieces = this.draft.split(',').map((piece) => piece.trim()).filter(Boolean);
      this.draft = '';
      this.tagError = '';
      const tags = [...this.tags];
      for (const piece of pieces) {
        if (piece.length > maxLength) {
          this.tagError = `Each tag can be at most ${maxLength} characters.`;
        } else if (tags.length >= max) {
          this.tagError = `You can add at most ${max}.`;
        } else if (!tags.some((tag) => tag.toLowerCase() === piece.toLowerCase())) {
          tags.push(piece);
        }
      }
      this.tags = tags;
    },

    remove(index) {
      this.tags = this.tags.filter((_, i) => i !== index);
      this.tagError = '';
    },

    onKeydown(event) {
      if (event.key === 'Enter' || event.key === ',') {
        event.preventDefault();
        this.add();
      } else if (event.key === 'Backspace' && this.draft === '' && this.tags.length) {
        this.remove(this.tags.length - 1);
      }
    },
  }));

  Alpine.data('passwordField', () => ({
    shown: false,
    capsLock: false,
    trackCapsLock(event) {
      if (event.getModifierState) this.capsLock = event.getModifierState('CapsLock');
    },
  }));
}
