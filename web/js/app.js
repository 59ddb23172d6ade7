// app.js - the single-page app: shell (header, navigation, language), router, login state.
// Routes are real paths (the server answers index.html for them), so reload and bookmarks work.
import { h, clear, announce } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import * as api from './api.js';
import { errorText, notice, rolesText } from './ui.js';
import { renderLogin } from './views/login.js';
import { renderDashboard } from './views/dashboard.js';
import { renderApps, renderNewApp } from './views/apps.js';
import { renderApp } from './views/app.js';
import { renderEditor } from './views/editor.js';
import { renderProviders } from './views/providers.js';
import { renderUsers } from './views/users.js';
import { renderPolicy } from './views/policy.js';
import { renderAudit } from './views/audit.js';
import { renderOrg } from './views/org.js';

const ROUTES = [
  [/^\/$/, renderDashboard],
  [/^\/inloggen$/, renderLogin, { public: true }],
  [/^\/applicaties$/, renderApps],
  [/^\/applicaties\/nieuw$/, renderNewApp],
  [/^\/applicaties\/([^/]+)\/dossier$/, renderEditor],
  [/^\/applicaties\/([^/]+)$/, renderApp],
  [/^\/leveranciers$/, renderProviders],
  [/^\/gebruikers$/, renderUsers],
  [/^\/beleid$/, renderPolicy],
  [/^\/audit$/, renderAudit],
  [/^\/organisatie$/, renderOrg],
];

const NAV = [
  ['/', 'nav.dashboard'],
  ['/applicaties', 'nav.apps'],
  ['/leveranciers', 'nav.providers'],
  ['/gebruikers', 'nav.users'],
  ['/beleid', 'nav.policy'],
  ['/audit', 'nav.audit'],
  ['/organisatie', 'nav.org'],
];

export const ctx = {
  me: null, // {user, roles, organisation}
  navigate,
  rerender: () => route(false),
  beforeLeave: null, // a view may set a function that saves work before navigation
  loadMe: () => loadMe(),
};

function normMe(m) {
  if (!m || typeof m !== 'object') return null;
  const u = m.user && typeof m.user === 'object' ? m.user : m;
  const user = { ...u, id: u.id || u.user_id || m.user_id, name: u.name || m.name, email: u.email || m.email };
  const roles = m.roles || u.roles || [];
  const org = m.organisation || m.org || { id: user.org_id || m.org_id, name: user.org_id || m.org_id };
  return { user, roles, organisation: org };
}

export async function loadMe() {
  ctx.me = normMe(await api.get('/me'));
  return ctx.me;
}

function renderShell() {
  document.getElementById('skiplink').textContent = t('skip');
  document.getElementById('wordmark-tag').textContent = t('app.tag');
  document.getElementById('footer-text').textContent = t('app.footer');
  const ls = document.getElementById('lang-switch');
  ls.textContent = t('lang.switch');
  ls.setAttribute('lang', t('lang.switch.lang'));
  const nav = document.getElementById('site-nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const logout = document.getElementById('logout');
  logout.textContent = t('logout');
  const who = document.getElementById('whoami');
  const list = clear(document.getElementById('site-nav-list'));
  if (ctx.me) {
    nav.hidden = false;
    logout.hidden = false;
    who.hidden = false;
    who.textContent = t('whoami', {
      name: ctx.me.user.name || ctx.me.user.id,
      roles: rolesText(ctx.me.roles),
      org: (ctx.me.organisation && (ctx.me.organisation.name || ctx.me.organisation.id)) || '',
    });
    const path = location.pathname;
    for (const [href, key] of NAV) {
      const current = href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
      list.append(h('li', null, h('a', { href, 'data-link': true, 'aria-current': current ? 'page' : null }, t(key))));
    }
  } else {
    nav.hidden = true;
    logout.hidden = true;
    who.hidden = true;
  }
}

async function route(moveFocus = true) {
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  let view = null, params = [], opts = {};
  for (const [re, fn, o] of ROUTES) {
    const m = re.exec(path);
    if (m) { view = fn; params = m.slice(1).map(decodeURIComponent); opts = o || {}; break; }
  }
  if (!opts.public && !ctx.me) {
    if (api.getToken()) {
      try { await loadMe(); } catch (err) { if (err.status !== 401) { renderShell(); clear(main); main.append(notice(errorText(err), 'bad')); return; } }
    }
    if (!ctx.me) {
      history.replaceState({}, '', '/inloggen?terug=' + encodeURIComponent(path + location.search));
      return route(moveFocus);
    }
  }
  renderShell();
  ctx.beforeLeave = null;
  clear(main);
  main.setAttribute('aria-busy', 'true');
  main.removeAttribute('data-ready');
  if (!view) {
    main.append(h('h1', { id: 'page-title', tabindex: '-1' }, t('notfound.title')), h('p', null, t('notfound.text')),
      h('p', null, h('a', { href: '/', 'data-link': true }, t('back.home'))));
    document.title = `${t('notfound.title')} – sluis`;
  } else {
    try {
      await view(main, params, ctx);
    } catch (err) {
      if (err && err.status === 401) return;
      clear(main);
      main.append(h('h1', { id: 'page-title', tabindex: '-1' }, t('error.summary')), notice(errorText(err) || String(err), 'bad'));
      console.error(err);
    }
  }
  main.removeAttribute('aria-busy');
  main.setAttribute('data-ready', location.pathname);
  if (moveFocus) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
    announce(t('loaded', { title: document.title.replace(/ – sluis$/, '') }));
  }
}

export async function navigate(href, { replace = false } = {}) {
  if (ctx.beforeLeave) {
    try { await ctx.beforeLeave(); } catch { /* the view keeps the work locally */ }
  }
  if (replace) history.replaceState({}, '', href);
  else history.pushState({}, '', href);
  window.scrollTo(0, 0);
  await route(true);
}

function onClick(ev) {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname === location.pathname && url.hash) return; // in-page anchor
  ev.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

function boot() {
  setLang(getLang());
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', () => route(true));
  document.getElementById('lang-switch').addEventListener('click', () => {
    setLang(getLang() === 'nl' ? 'en' : 'nl');
    route(false).then(() => announce(t('lang.switched')));
  });
  document.getElementById('logout').addEventListener('click', () => {
    api.setToken('');
    ctx.me = null;
    navigate('/inloggen').then(() => announce(t('logged_out')));
  });
  api.setUnauthorizedHandler(() => {
    ctx.me = null;
    api.setToken('');
    if (location.pathname !== '/inloggen') navigate('/inloggen?terug=' + encodeURIComponent(location.pathname), { replace: true });
  });
  route(false);
}

boot();
