// /notifications (skeleton: filled by its branch).
export default () => ({});
