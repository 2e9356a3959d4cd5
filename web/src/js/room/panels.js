// The room page's panels (chat, gifts, recording) and the session page's recordings list, registered
// with Alpine by main.js; the room page includes each panel's partial at its slot.
import { registerRoomChat } from './chat.js';
import { registerRoomGifts } from './gifts.js';
import { registerRoomRecording } from './recording.js';

export function registerRoomPanels() {
  registerRoomChat();
  registerRoomGifts();
  registerRoomRecording();
}
