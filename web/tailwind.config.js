import forms from '@tailwindcss/forms';
import colors from 'tailwindcss/colors';

/** @type {import('tailwindcss').Config} */
export default {
  content: ['./src/**/*.{html,js}'],
  // Role badges are picked by name at run time (`'badge-' + role`).
  safelist: ['badge-learner', 'badge-mentor', 'badge-admin'],
  theme: {
    extend: {
      colors: {
        brand: colors.indigo,
      },
    },
  },
  plugins: [forms],
};
