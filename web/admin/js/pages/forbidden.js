// Any admin page, seen by someone signed in who isn't an admin: no behaviour, a way back to the app.
export default () => ({});
