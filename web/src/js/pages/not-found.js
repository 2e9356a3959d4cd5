// /<anything else>: the not-found page has no behaviour of its own.
export default () => ({});
