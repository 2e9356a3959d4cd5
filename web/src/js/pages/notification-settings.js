// /notification-settings (skeleton: filled by its branch).
export default () => ({});
