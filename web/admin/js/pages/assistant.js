// /admin/assistant: the admins' assistant. A question goes to POST /api/admin/assistant with an id
// this page chose; while the model writes, the answer's text arrives on the admin's user channel as
// `assistant.delta` messages carrying that id (joined in `sequence` order), then `assistant.done`
// with the tools used and their figures. The REST answer is the whole answer: it settles the text
// (a tab whose socket is down still gets it). The answer is an aria-live region, busy while streaming.
import { post } from '../../../src/js/api.js';
import { openChannel } from '../live-channel.js';
import { figureLines, questionId, streamedText } from '../reports.js';

const MAX_QUESTION = 4000;
const HISTORY = 19; // the API takes 20 messages: the conversation so far and the new question

const EXAMPLES = [
  'How much revenue did we make last week?',
  'Who were the top mentors this month?',
  'Which sessions in the next 48 hours are at risk of a no-show?',
  'How many refunds did we process last month?',
];

export default () => {
  let socket = null;

  return {
    messages: [], // { id, role, text, parts, streaming, tools, figures, refused, error }
    question: '',
    asking: false,
    live: 'connecting',
    maxQuestion: MAX_QUESTION,
    examples: EXAMPLES,

    init() {
      socket = openChannel({ onState: (state) => (this.live = state) });
      socket.on('assistant.delta', (message) => this.delta(message));
      socket.on('assistant.done', (message) => this.done(message));
    },

    destroy() {
      socket?.close();
      socket = null;
    },

    get streamState() {
      return this.live === 'open' ? 'Answers stream as they are written.' : 'Answers appear when complete.';
    },

    find(id) {
      return this.messages.find((m) => m.id === id && m.role === 'assistant');
    },

    delta(message) {
      const answer = this.find(message.request_id);
      if (!answer || !answer.streaming) return;
      answer.parts = [...answer.parts, { sequence: message.sequence, text: message.text }];
      answer.text = streamedText(answer.parts);
    },

    done(message) {
      const answer = this.find(message.request_id);
      if (!answer) return;
      this.settle(answer, message);
    },

    settle(answer, result) {
      answer.text = result.answer ?? answer.text;
      answer.tools = [...new Set((result.tools_used ?? []).map((t) => t.name))];
      answer.figures = figureLines(result.tools_used);
      answer.refused = Boolean(result.refused);
      answer.streaming = false;
    },

    ask(text) {
      if (typeof text === 'string') this.question = text;
      this.send();
    },

    async send() {
      const content = this.question.trim();
      if (!content || this.asking) return;
      const id = questionId();
      const history = this.messages
        .filter((m) => !m.error && m.text)
        .slice(-HISTORY)
        .map((m) => ({ role: m.role, content: m.text.slice(0, MAX_QUESTION) }));
      this.messages.push({ id: `${id}-q`, role: 'user', text: content });
      this.messages.push({ id, role: 'assistant', text: '', parts: [], streaming: true, tools: [], figures: [], refused: false, error: '' });
      this.question = '';
      this.asking = true;
      try {
        const result = await post('/api/admin/assistant', { messages: [...history, { role: 'user', content }], request_id: id }, { auth: true });
        this.settle(this.find(id), result);
      } catch (error) {
        const answer = this.find(id);
        answer.streaming = false;
        answer.error = error.message || "The assistant couldn't answer.";
      } finally {
        this.asking = false;
        this.$nextTick(() => this.$refs.question?.focus());
      }
    },

    toolsText(answer) {
      if (answer.refused) return 'No tool used: the assistant only reads and drafts.';
      return answer.tools.length ? `Tools used: ${answer.tools.join(', ')}` : 'No tool used.';
    },
  };
};
