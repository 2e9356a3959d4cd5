// The room's chat panel (`roomChat`, partials/room-chat.html): history from the API on joining and
// after every reconnect (each `welcome`), live `chat` messages merged by id, a composer with an emoji
// picker, links made safe (parts rendered with x-text/:href, never HTML), attachments uploaded through
// the files API, gifts logged once, and an unread count while the log is out of sight (the room page
// shows the chat behind a tab on phones): a "new messages" button, and `Alpine.store('room').chatUnread`.
import Alpine from '@alpinejs/csp';
import { getBlob, get, post, withQuery } from '../api.js';
import { amountText } from '../format.js';
import { listenToRoom, putBytes, roomMe, roomSessionId, sendToRoom } from './panel.js';
import {
  ATTACHMENT_ACCEPT,
  CHAT_MAX_CHARS,
  attachmentProblem,
  attachmentType,
  charCount,
  mergeMessages,
  messageParts,
  sizeText,
} from './text.js';

const HISTORY_PAGE = 100;
const HISTORY_PAGES = 20; // a two-hour session's chat, at most; more is cut (and said)
const EMOJI_COLUMNS = 6;
export const EMOJIS = [
  ['😀', 'grinning face'], ['😂', 'tears of joy'], ['😊', 'smiling face'], ['😍', 'heart eyes'],
  ['🤔', 'thinking face'], ['😮', 'surprised face'], ['😅', 'sweat smile'], ['😢', 'crying face'],
  ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['👏', 'clapping hands'], ['🙏', 'folded hands'],
  ['🙌', 'raised hands'], ['💪', 'flexed arm'], ['👀', 'eyes'], ['👋', 'waving hand'],
  ['🎉', 'party popper'], ['❤️', 'red heart'], ['🔥', 'fire'], ['⭐', 'star'],
  ['✅', 'check mark'], ['❌', 'cross mark'], ['💡', 'light bulb'], ['🚀', 'rocket'],
].map(([char, name]) => ({ char, name }));

let refs = 0;

function decorate(message) {
  const attachment = message.attachment
    ? { ...message.attachment, sizeText: sizeText(message.attachment.size_bytes), kind: message.attachment.kind || (String(message.attachment.content_type).startsWith('image/') ? 'image' : 'file') }
    : null;
  return { ...message, kind: 'chat', parts: messageParts(message.text), attachment };
}

function giftEntry(gift) {
  const from = gift.from_name || 'Someone';
  return {
    id: `gift:${gift.id}`,
    kind: 'gift',
    name: from,
    sent_at: gift.paid_at,
    text: `${from} sent a gift of ${amountText(gift.amount_paise)}`,
    parts: messageParts(gift.message || ''),
    attachment: null,
  };
}

export function registerRoomChat() {
  Alpine.data('roomChat', () => {
    const objectUrls = new Map(); // file_id -> blob: URL, revoked when the panel goes
    const sentByRef = new Map(); // ref -> text, to give the text back if the server refuses it
    let stop = null;
    let historyRun = 0;
    let sight = null;

    return {
      messages: [],
      history: 'idle', // idle | loading | ready | failed
      historyError: '',
      draft: '',
      sendError: '',
      fileError: '',
      upload: null, // { name, percent } while an attachment goes up
      emojis: EMOJIS,
      emojiOpen: false,
      emojiIndex: 0,
      accept: ATTACHMENT_ACCEPT,
      maxChars: CHAT_MAX_CHARS,
      inSight: true, // the log is on screen (not behind another tab, not scrolled away)
      unread: 0,
      images: {}, // file_id -> blob URL | 'loading' | 'failed'

      init() {
        sight = new IntersectionObserver((entries) => {
          this.inSight = entries.some((entry) => entry.isIntersecting);
          if (this.inSight) this.setUnread(0);
        });
        sight.observe(this.$refs.log);
        stop = listenToRoom({
          welcome: (frame) => frame.you && frame.you.status !== 'waiting' && this.loadHistory(),
          chat: (frame) => this.receive(frame.message),
          gift: (frame) => frame.gift && this.receiveGift(frame.gift),
          error: (frame) => this.refused(frame),
        });
        // Mounted after the welcome (the page shows the panels once admitted): load now.
        const me = roomMe();
        if (me && me.status !== 'waiting') this.loadHistory();
      },

      destroy() {
        stop?.();
        sight?.disconnect();
        objectUrls.forEach((url) => URL.revokeObjectURL(url));
        objectUrls.clear();
      },

      get me() {
        return roomMe();
      },

      /** Only admitted mentors and learners chat (observers and the waiting room read nothing here). */
      get canChat() {
        const me = this.me;
        return Boolean(me && ['mentor', 'learner'].includes(me.room_role) && me.status !== 'waiting');
      },

      get chars() {
        return charCount(this.draft);
      },

      get tooLong() {
        return this.chars > CHAT_MAX_CHARS;
      },

      get countText() {
        return this.tooLong ? `${this.chars - CHAT_MAX_CHARS} characters too many` : `${this.chars} / ${CHAT_MAX_CHARS}`;
      },

      get unreadLabel() {
        return `${this.unread} new ${this.unread === 1 ? 'message' : 'messages'} in chat`;
      },

      setUnread(count) {
        this.unread = count;
        const store = Alpine.store('room');
        if (store) store.chatUnread = count; // for the room page's Chat tab, if it shows one
      },

      isMine(message) {
        return Boolean(this.me && message.user_id === this.me.user_id);
      },

      /**
       * The history: everything on joining, then (after a reconnect's `welcome`) only what came after
       * the newest message this page holds (`cursor` is the API's sort key, so the largest is newest).
       */
      async loadHistory() {
        const sessionId = roomSessionId();
        if (!sessionId) return;
        const run = ++historyRun;
        if (this.history !== 'ready') this.history = 'loading';
        try {
          let after = this.messages.reduce((newest, message) => (message.cursor && message.cursor > newest ? message.cursor : newest), '') || null;
          let found = [];
          for (let page = 0; page < HISTORY_PAGES; page += 1) {
            const answer = await get(withQuery(`/api/sessions/${sessionId}/room/chat`, { limit: HISTORY_PAGE, after }), { auth: true });
            found = found.concat(answer.items ?? []);
            after = answer.next_after ?? null;
            if (!after) break;
          }
          if (run !== historyRun) return;
          this.merge(found.map(decorate), { quiet: this.history !== 'ready' });
          this.history = 'ready';
          this.historyError = '';
        } catch (error) {
          if (run !== historyRun) return;
          this.history = 'failed';
          this.historyError = error.message;
        }
      },

      receive(message) {
        if (!message || !message.id) return;
        this.merge([decorate(message)]);
      },

      receiveGift(gift) {
        if (!gift.id) return;
        this.merge([giftEntry(gift)]);
      },

      merge(incoming, { quiet = false } = {}) {
        const known = new Set(this.messages.map((message) => message.id));
        const fresh = incoming.filter((message) => !known.has(message.id));
        const log = this.$refs.log;
        const atBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        this.messages = mergeMessages(this.messages, incoming);
        fresh.forEach((message) => {
          if (message.attachment?.kind === 'image') this.loadImage(message.attachment.file_id);
        });
        const unseen = fresh.filter((message) => !this.isMine(message)).length;
        if (!quiet && !this.inSight && unseen) this.setUnread(this.unread + unseen);
        // Follow the conversation unless the reader scrolled up to read something older.
        if (atBottom || fresh.some((message) => this.isMine(message))) this.$nextTick(() => this.scrollToEnd());
      },

      scrollToEnd() {
        const log = this.$refs.log;
        if (log) log.scrollTop = log.scrollHeight;
      },

      fileUrl(fileId) {
        return `/api/sessions/${roomSessionId()}/room/files/${encodeURIComponent(fileId)}`;
      },

      async loadImage(fileId) {
        if (this.images[fileId] && this.images[fileId] !== 'failed') return;
        this.images[fileId] = 'loading';
        try {
          const url = URL.createObjectURL(await getBlob(this.fileUrl(fileId)));
          objectUrls.set(fileId, url);
          this.images[fileId] = url;
        } catch {
          this.images[fileId] = 'failed';
        }
      },

      imageSrc(message) {
        const state = this.images[message.attachment.file_id];
        return state && state !== 'loading' && state !== 'failed' ? state : '';
      },

      imageState(message) {
        const state = this.images[message.attachment.file_id];
        return state === 'loading' || state === 'failed' ? state : state ? 'ready' : 'loading';
      },

      /** Saves an attachment: the API only serves it with the bearer token, so fetch, then save the blob. */
      async download(message) {
        const { file_id: fileId, name } = message.attachment;
        this.fileError = '';
        try {
          const url = objectUrls.get(fileId) ?? URL.createObjectURL(await getBlob(this.fileUrl(fileId)));
          objectUrls.set(fileId, url);
          const link = document.createElement('a');
          link.href = url;
          link.download = name || 'attachment';
          link.rel = 'noopener';
          document.body.append(link);
          link.click();
          link.remove();
        } catch (error) {
          this.fileError = `“${name}” didn't download: ${error.message}`;
        }
      },

      onKeydown(event) {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.send();
        }
      },

      send(attachment = null) {
        this.sendError = '';
        const text = this.draft.trim() || (attachment ? attachment.name : '');
        if (!text) return false;
        if (charCount(text) > CHAT_MAX_CHARS) {
          this.sendError = `Messages can be at most ${CHAT_MAX_CHARS} characters.`;
          return false;
        }
        const ref = `chat-${++refs}`;
        const payload = { text, ref };
        if (attachment) payload.attachment = { file_id: attachment.file_id };
        if (!sendToRoom('chat', payload)) {
          this.sendError = 'Not connected. Your message is kept; send it again once the room reconnects.';
          return false;
        }
        sentByRef.set(ref, text);
        this.draft = '';
        return true;
      },

      /** The server refused one of our messages: say why and give the text back to edit. */
      refused(frame) {
        if (!frame.ref || !sentByRef.has(frame.ref)) return;
        const text = sentByRef.get(frame.ref);
        sentByRef.delete(frame.ref);
        if (!this.draft) this.draft = text;
        this.sendError =
          frame.code === 'rate_limited' ? 'You are sending too fast; wait a moment and send again.' : `Message not sent: ${frame.message || frame.code}`;
      },

      chooseFile() {
        this.$refs.file.click();
      },

      async attach(event) {
        const input = event.target;
        const file = input.files && input.files[0];
        input.value = ''; // choosing the same file again fires change again
        if (!file) return;
        this.fileError = attachmentProblem(file);
        if (this.fileError) return;
        const contentType = attachmentType(file);
        this.upload = { name: file.name, percent: 0 };
        try {
          const target = await post(
            `/api/sessions/${roomSessionId()}/room/files`,
            { name: file.name, content_type: contentType, size_bytes: file.size },
            { auth: true },
          );
          await putBytes(target.upload_url, file, {
            contentType,
            onProgress: (loaded, total) => {
              if (this.upload) this.upload.percent = Math.round((100 * loaded) / total);
            },
          });
          if (!this.send({ file_id: target.file_id, name: file.name })) this.fileError = this.sendError || 'The file is uploaded but the message was not sent.';
        } catch (error) {
          this.fileError = `“${file.name}” wasn't shared: ${error.message}`;
        } finally {
          this.upload = null;
        }
      },

      get uploadText() {
        return this.upload ? `Uploading ${this.upload.name}… ${this.upload.percent}%` : '';
      },

      /**
       * Brings the chat into view: the room page may keep it behind a tab (it can listen for
       * `room-show-panel`, or name the tab with aria-controls), then it scrolls to the newest message.
       */
      showChat() {
        window.dispatchEvent(new CustomEvent('room-show-panel', { detail: { panel: 'chat' } }));
        const hidden = this.$root.closest('[role=tabpanel]');
        const tab = hidden && hidden.id ? document.querySelector(`[role=tab][aria-controls="${hidden.id}"]`) : null;
        (tab ?? document.querySelector('[data-testid=room-tab-chat]'))?.click();
        this.$nextTick(() => {
          this.$refs.log.scrollIntoView({ block: 'nearest' });
          this.scrollToEnd();
          this.$refs.input?.focus();
        });
      },

      // The emoji picker: a grid of buttons with one tab stop; arrows move, Escape closes.
      toggleEmoji() {
        if (this.emojiOpen) return this.closeEmoji(true);
        this.emojiOpen = true;
        this.$nextTick(() => this.focusEmoji(this.emojiIndex));
      },

      closeEmoji(returnFocus) {
        if (!this.emojiOpen) return;
        this.emojiOpen = false;
        if (returnFocus) this.$refs.emojiToggle?.focus();
      },

      focusEmoji(index) {
        const count = EMOJIS.length;
        this.emojiIndex = (index + count) % count;
        this.$nextTick(() => this.$refs.emojiGrid?.querySelectorAll('button')[this.emojiIndex]?.focus());
      },

      onEmojiKeydown(event) {
        if (!this.emojiOpen) return;
        const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: EMOJI_COLUMNS, ArrowUp: -EMOJI_COLUMNS };
        if (event.key in moves) {
          event.preventDefault();
          this.focusEmoji(this.emojiIndex + moves[event.key]);
        } else if (event.key === 'Home' || event.key === 'End') {
          event.preventDefault();
          this.focusEmoji(event.key === 'Home' ? 0 : EMOJIS.length - 1);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          this.closeEmoji(true);
        }
      },

      emojiTabindex(index) {
        return index === this.emojiIndex ? '0' : '-1';
      },

      /** Puts the emoji at the caret (or over the selection) and goes back to typing. */
      insertEmoji(emoji, index) {
        const input = this.$refs.input;
        const start = input ? input.selectionStart : this.draft.length;
        const end = input ? input.selectionEnd : this.draft.length;
        this.draft = this.draft.slice(0, start) + emoji.char + this.draft.slice(end);
        this.emojiIndex = index;
        this.emojiOpen = false;
        this.$nextTick(() => {
          if (!input) return;
          input.focus();
          input.setSelectionRange(start + emoji.char.length, start + emoji.char.length);
        });
      },
    };
  });
}
