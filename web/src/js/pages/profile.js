// /profile: the signed-in person edits their profile, uploads an avatar, changes their password, downloads
// their data and deletes their account.
import Alpine from '@alpinejs/csp';
import { del, get, patch, post, setSession } from '../api.js';
import { explainError } from '../forms.js';
import { deletionProblems, exportFileName, saveFile } from '../my-data.js';
import { passwordChecks, passwordProblem } from '../password.js';
import { navigate } from '../router.js';
import { toast } from '../toasts.js';
import { browserTimeZone, timeZones } from '../zones.js';

const EDITABLE = ['name', 'headline', 'bio', 'skills', 'interests', 'languages', 'timezone', 'expertise'];
const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
const AVATAR_MAX_BYTES = 2_000_000;
export const BIO_MAX_LENGTH = 2000;


function formFrom(user) {
  return {
      name: user.name ?? '',
      headline: user.headline ?? '',
      bio: user.bio ?? '',
      skills: [...(user.skills ?? [])],
      interests: [...(user.interests ?? [])],
      languages: [...(user.languages ?? [])],
      timezone: user.timezone || browserTimeZone(),
      expertise: [...(user.expertise ?? [])],
    };
  }

  /** PUTs `file` to a presigned URL, reporting progress (0–100); fetch can't report upload progress. */
  function upload(url, method, headers, file, onProgress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open(method, url);
      Object.entries(headers ?? {}).forEach(([name, value]) => request.setRequestHeader(name, value));
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
      };
      request.onload = () => (request.status < 300 ? resolve() : reject(new Error(`Upload failed (${request.status}).`)));
      request.onerror = () => reject(new Error('Upload failed. Check your connection and try again.'));
      request.send(file);
    });
  }

  export default () => {
    // The last signed-in person: signing out clears the session a moment before this page leaves,
    // and the page still reads them until it does.
    let lastUser = null;
    return {
    status: 'loading', // loading | ready | failed
    loadError: '',
    form: null,
    saved: null, // the form as last saved, to send only what changed
    timeZones: [],
    saving: false,
    errors: {},
    message: '',

    avatar: { previewUrl: '', uploading: false, progress: 0, error: '' },
    passwords: { current: '', next: '' },
    passwordErrors: {},
    passwordMessage: '',
    changingPassword: false,

    download: { busy: false, error: '' },
    deletion: { open: false, busy: false, password: '', confirm: '', errors: {}, message: '' },

    bioMaxLength: BIO_MAX_LENGTH,

    get user() {
      lastUser = Alpine.store('session').user ?? lastUser;
      return lastUser;
    },

    get changes() {
      if (!this.form) return {};
      return Object.fromEntries(
        EDITABLE.filter((key) => key !== 'expertise' || this.user.role === 'mentor')
          .filter((key) => JSON.stringify(this.form[key]) !== JSON.stringify(this.saved[key]))
          .map((key) => [key, typeof this.form[key] === 'string' ? this.form[key].trim() : this.form[key]]),
      );
    },

    get dirty() {
      return Object.keys(this.changes).length > 0;
    },

    get newPasswordChecks() {
      return passwordChecks(this.passwords.next, this.user?.email);
    },

    async init() {
      await this.load();
    },

    destroy() {
      if (this.avatar.previewUrl) URL.revokeObjectURL(this.avatar.previewUrl);
    },

    async load() {
      this.status = 'loading';
      try {
        this.fill(await Alpine.store('session').reload());
        this.status = 'ready';
      } catch (error) {
        this.loadError = error.message;
        this.status = 'failed';
      }
    },

    fill(user) {
      this.form = formFrom(user);
      this.saved = formFrom(user);
      this.timeZones = timeZones(this.form.timezone);
    },

    async save() {
      this.message = '';
      this.errors = {};
      if (!this.form.name.trim()) this.errors.name = 'Your name is needed.';
      if (this.form.bio.length > BIO_MAX_LENGTH) this.errors.bio = `Keep your bio under ${BIO_MAX_LENGTH} characters.`;
      if (Object.keys(this.errors).length) return;
      if (!this.dirty) return toast('Nothing to save — your profile is up to date.');

      this.saving = true;
      try {
        const user = await patch('/api/me', this.changes, { auth: true });
        Alpine.store('session').setUser(user);
        this.fill(user);
        toast('Profile saved.', 'success');
      } catch (error) {
        ({ errors: this.errors, message: this.message } = explainError(error, EDITABLE));
        if (this.message) toast(this.message, 'error');
      } finally {
        this.saving = false;
      }
    },

    async chooseAvatar(event) {
      const file = event.target.files?.[0];
      event.target.value = ''; // choosing the same file again should still trigger a change
      if (!file) return;
      this.avatar.error = '';
      if (!AVATAR_TYPES.includes(file.type)) {
        this.avatar.error = 'Choose a PNG, JPEG or WebP image.';
        return;
      }
      if (file.size > AVATAR_MAX_BYTES) {
        this.avatar.error = 'Choose an image smaller than 2 MB.';
        return;
      }
      if (this.avatar.previewUrl) URL.revokeObjectURL(this.avatar.previewUrl);
      Object.assign(this.avatar, { previewUrl: URL.createObjectURL(file), uploading: true, progress: 0 });
      try {
        const target = await post('/api/me/avatar', { content_type: file.type, size_bytes: file.size }, { auth: true });
        await upload(target.upload_url, target.method || 'PUT', target.headers, file, (percent) => {
          this.avatar.progress = percent;
        });
        const user = await patch('/api/me', { avatar_key: target.avatar_key }, { auth: true });
        Alpine.store('session').setUser(user);
        URL.revokeObjectURL(this.avatar.previewUrl);
        this.avatar.previewUrl = '';
        toast('Profile photo updated.', 'success');
      } catch (error) {
        this.avatar.error = error.message;
      } finally {
        this.avatar.uploading = false;
      }
    },

    async changePassword() {
      this.passwordMessage = '';
      this.passwordErrors = {};
      if (!this.passwords.current) this.passwordErrors.current_password = 'Enter your current password.';
      const passwordError = passwordProblem(this.newPasswordChecks);
      if (passwordError) this.passwordErrors.new_password = passwordError;
      if (Object.keys(this.passwordErrors).length) return;

      this.changingPassword = true;
      try {
        const body = await post(
          '/api/auth/change-password',
          { current_password: this.passwords.current, new_password: this.passwords.next },
          { auth: true },
        );
        setSession(body);
        this.passwords = { current: '', next: '' };
        toast('Password changed. Your other devices have been signed out.', 'success');
      } catch (error) {
        ({ errors: this.passwordErrors, message: this.passwordMessage } = explainError(error, [
          'current_password',
          'new_password',
        ]));
      } finally {
        this.changingPassword = false;
      }
    },

    async downloadData() {
      this.download = { busy: true, error: '' };
      try {
        const data = await get('/api/me/export', { auth: true });
        saveFile(JSON.stringify(data, null, 2), exportFileName(null));
        toast('Your data is downloaded.', 'success');
      } catch (error) {
        this.download.error = error.message;
      } finally {
        this.download.busy = false;
      }
    },

    openDelete() {
      this.deletion = { open: true, busy: false, password: '', confirm: '', errors: {}, message: '' };
    },

    closeDelete() {
      if (!this.deletion.busy) this.deletion.open = false;
    },

    async deleteAccount() {
      this.deletion.message = '';
      this.deletion.errors = deletionProblems(this.deletion);
      if (Object.keys(this.deletion.errors).length) return;
      this.deletion.busy = true;
      try {
        const answer = await del('/api/me', { auth: true }, { password: this.deletion.password, confirm: 'DELETE' });
        this.deletion.busy = false;
        this.deletion.open = false;
        setSession(null);
        navigate('/login', { replace: true });
        toast(answer.message || 'Your account is deleted.', 'success');
      } catch (error) {
        ({ errors: this.deletion.errors, message: this.deletion.message } = explainError(error, ['password', 'confirm']));
        this.deletion.busy = false;
      }
    },
  };
};
