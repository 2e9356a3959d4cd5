// /unsubscribe (skeleton: filled by its branch).
export default () => ({});
