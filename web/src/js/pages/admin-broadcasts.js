// /admin-broadcasts (skeleton: filled by its branch).
export default () => ({});
