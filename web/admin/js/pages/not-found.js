// /admin/<anything else>: no behaviour of its own.
export default () => ({});
