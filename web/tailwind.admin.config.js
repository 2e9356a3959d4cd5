// The admin site's CSS (dist/admin/assets/admin.css): the app's theme, over the admin site's files and
// the shared modules and partials it uses.
import app from './tailwind.config.js';

/** @type {import('tailwindcss').Config} */
export default {
  ...app,
  content: ['./admin/**/*.{html,js}', './src/js/**/*.js', './src/partials/**/*.html'],
};
