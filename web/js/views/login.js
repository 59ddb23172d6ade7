// views/login.js - log in by pasting an API token (kept in sessionStorage).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as api from '../api.js';
import { field, FormErrors, pageTitle, errorText, announce } from '../ui.js';

export async function renderLogin(main, params, ctx) {
  pageTitle(main, t('login.title'));
  main.append(h('p', null, t('login.intro')));
  const token = field({ path: 'token', id: 'login-token', label: t('login.token'), hint: t('login.token.hint'), type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { id: 'login-form', novalidate: true }, token, h('div', { class: 'actions' }, h('button', { class: 'button', type: 'submit' }, t('login.submit'))));
  const errors = new FormErrors(form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.clear();
    const value = token.control.value.trim();
    if (!value) { errors.set('token', t('error.required')); errors.show(); return; }
    try {
      const me = await api.get('/me', { token: value, noAuthRedirect: true });
      api.setToken(value);
      ctx.me = null;
      if (me) await ctx.loadMe();
      const back = new URLSearchParams(location.search).get('terug');
      ctx.navigate(back && back.startsWith('/') && !back.startsWith('//') && back !== '/inloggen' ? back : '/', { replace: true });
    } catch (err) {
      errors.set('token', err.status === 401 ? t('login.bad') : errorText(err));
      errors.show();
      announce(err.status === 401 ? t('login.bad') : errorText(err), true);
    }
  });
  main.append(form);
}
