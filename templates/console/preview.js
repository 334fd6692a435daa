// The client form's preview of the branded sign-in page, kept in step with the fields as
// they are typed: the app's name, logo, links and accent colour. Served from this origin
// (the console's policy allows no inline script). Without it the form still works: the
// "Preview the sign-in page" button renders the same preview on the server.
(function () {
  'use strict';
  var form = document.querySelector('form[data-preview-form]');
  var preview = document.getElementById('preview');
  if (!form || !preview) return;

  function field(name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === 'string' ? el.value.trim() : '';
  }

  // Only https addresses, as the sign-in page itself shows.
  function https(value) {
    try {
      var u = new URL(value);
      return u.protocol === 'https:' && u.host ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.rel = 'noopener noreferrer';
    a.textContent = text;
    return a;
  }

  function update() {
    var name = field('name') || preview.dataset.fallbackName;
    preview.querySelectorAll('[data-preview="name"]').forEach(function (el) {
      el.textContent = name;
    });

    var header = preview.querySelector('[data-preview="header"]');
    header.replaceChildren();
    var logo = https(field('logo_uri'));
    if (logo) {
      var p = document.createElement('p');
      p.className = 'client-logo';
      var img = document.createElement('img');
      img.src = logo;
      img.alt = '';
      img.width = 56;
      img.height = 56;
      img.referrerPolicy = 'no-referrer';
      p.appendChild(img);
      header.appendChild(p);
    }

    var footer = preview.querySelector('[data-preview="footer"]');
    footer.replaceChildren();
    var home = https(field('client_uri'));
    var policy = https(field('policy_uri'));
    var tos = https(field('tos_uri'));
    if (home || policy || tos) {
      var f = document.createElement('footer');
      f.className = 'client-links small';
      f.appendChild(home ? link(home, name) : document.createTextNode(name));
      if (policy) {
        f.appendChild(document.createTextNode(' · '));
        f.appendChild(link(policy, preview.dataset.privacy));
      }
      if (tos) {
        f.appendChild(document.createTextNode(' · '));
        f.appendChild(link(tos, preview.dataset.terms));
      }
      footer.appendChild(f);
    }

    // The colour arrives as a same-origin stylesheet the server checks and writes.
    var colour = field('brand_color');
    var style = document.getElementById('preview-style');
    if (/^#[0-9a-fA-F]{6}$/.test(colour)) {
      var href = '/admin/console/preview/' + colour.slice(1).toLowerCase() + '/style.css';
      if (!style) {
        style = document.createElement('link');
        style.id = 'preview-style';
        style.rel = 'stylesheet';
        document.head.appendChild(style);
      }
      if (style.getAttribute('href') !== href) style.setAttribute('href', href);
    } else if (style) {
      style.remove();
    }
  }

  form.addEventListener('input', update);
})();
