// Herald's only script: progressive enhancement of the server-rendered
// pages. Everything works without it; the rail collapses behind a button
// on narrow screens, and nojs.css keeps it open when scripts are off.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".rail-toggle");
  const rail = document.getElementById("rail");
  if (!toggle || !rail) {
    return;
  }
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    rail.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    setOpen(open);
    if (open) {
      const first = rail.querySelector("a");
      if (first) {
        first.focus();
      }
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
});

// ------------------------------------------------------------------
// Shared helpers for the pages below.

/** `{name}` placeholders in `text` replaced by `values`. */
function fillText(text, values) {
  return String(text).replace(/\{(\w+)\}/g, (whole, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole,
  );
}

/** Ids in a comma-separated list, in order, without blanks. */
function idList(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Characters as the server counts them (code points, not UTF-16 units). */
function charCount(text) {
  return Array.from(text || "").length;
}

function element(tag, props, children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") {
      el.textContent = value;
    } else if (key === "className") {
      el.className = value;
    } else if (value !== undefined && value !== null && value !== false) {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children || []) {
    if (child) {
      el.append(child);
    }
  }
  return el;
}

// ------------------------------------------------------------------
// The viewer's time zone: remembered in a cookie so the server can show
// calendar times in it. A calendar first shown in UTC (no cookie yet)
// reloads once in the browser's zone.

document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (!zone) {
    return;
  }
  const cookie = document.cookie
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("herald_tz="));
  const known = cookie ? decodeURIComponent(cookie.slice("herald_tz=".length)) : "";
  if (known !== zone) {
    document.cookie = `herald_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax`;
  }
  const calendar = document.querySelector(".calendar[data-zone-source]");
  const select = document.getElementById("calendar-tz");
  if (
    calendar &&
    calendar.dataset.zoneSource === "default" &&
    zone !== calendar.dataset.zone &&
    select &&
    Array.from(select.options).some((o) => o.value === zone)
  ) {
    // Once per tab: if cookies are off, the cookie never arrives.
    try {
      if (sessionStorage.getItem("herald_tz_reloaded")) {
        return;
      }
      sessionStorage.setItem("herald_tz_reloaded", "1");
    } catch (error) {
      return;
    }
    window.location.reload();
  }
});

// Selects that apply themselves (the calendar's zone), and buttons that
// ask before they do something that cannot be undone.
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-auto-submit]")) {
    select.addEventListener("change", () => {
      if (select.form) {
        select.form.submit();
      }
    });
  }
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
});

// ------------------------------------------------------------------
// The composer: tabs per chosen account, the media library, counters,
// previews and live validation. The form's own fields stay the source of
// truth, so saving is an ordinary form post.

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("composer");
  if (!form) {
    return;
  }
  let config;
  try {
    config = JSON.parse(form.dataset.config || "{}");
  } catch (error) {
    return;
  }
  const copy = (key, values) => fillText((config.copy || {})[key] || key, values || {});
  const token = (form.querySelector('input[name="_csrf"]') || {}).value || "";
  form.classList.add("enhanced");

  const library = new Map();
  const sharedInput = document.getElementById("media-ids");
  const caption = document.getElementById("caption");
  const checkboxes = Array.from(form.querySelectorAll('input[name="account"]'));
  const panels = Array.from(form.querySelectorAll("fieldset.variant"));
  const tabs = document.getElementById("variant-tabs");
  const status = document.getElementById("validation-status");
  const picker = document.getElementById("media-picker");
  const selected = document.getElementById("media-selected");
  const grid = document.getElementById("media-library");
  const upload = document.getElementById("media-upload");
  const mediaStatus = document.getElementById("media-status");
  const driveButton = document.getElementById("drive-import");
  const driveFiles = document.getElementById("drive-files");
  let active = null;
  let reports = [];

  const chosen = () => checkboxes.filter((c) => c.checked && !c.disabled).map((c) => c.value);
  const panelOf = (id) => panels.find((p) => p.dataset.account === id);
  const field = (panel, name) => panel.querySelector(`[data-field="${name}"]`);
  const value = (panel, name) => {
    const el = field(panel, name);
    return el ? el.value : "";
  };
  const shared = () => idList(sharedInput.value);
  const setShared = (ids) => {
    sharedInput.value = ids.join(",");
  };
  const mediaName = (id) => (library.get(id) || {}).filename || id;
  const setMediaStatus = (text) => {
    mediaStatus.textContent = text;
  };

  /** The media an account gets, in order. */
  const panelMedia = (panel) =>
    field(panel, "own_media").checked ? idList(value(panel, "media")) : shared();

  /** The format the platform most likely means (mirrors the server). */
  const autoFormat = (kind, media) => {
    const videos = media.filter((id) => (library.get(id) || {}).kind === "video").length;
    if (kind === "instagram_business" || kind === "instagram_account") {
      if (media.length <= 1) {
        return videos === 1 ? "reel" : "image";
      }
      return "carousel";
    }
    if (kind === "facebook_page") {
      if (media.length === 0) {
        return "text";
      }
      return videos === 0 ? "image" : "video";
    }
    return "video";
  };

  /** The variant the server will build from this panel. */
  const variantOf = (id) => {
    const panel = panelOf(id);
    const account = config.accounts[id] || {};
    const media = panelMedia(panel);
    const auto = autoFormat(account.kind, media);
    field(panel, "format_auto").value = auto;
    const own = value(panel, "caption");
    const variant = {
      format: value(panel, "format") || auto,
      caption: own.trim() ? own : caption.value,
      media,
    };
    for (const name of ["title", "link", "first_comment", "privacy"]) {
      const text = value(panel, name).trim();
      if (text) {
        variant[name] = text;
      }
    }
    // TikTok's switches (absent elsewhere); what a post promotes counts
    // only with the disclosure on, as the server reads the form.
    const on = (name) => {
      const el = field(panel, name);
      return Boolean(el && el.checked && !el.disabled);
    };
    for (const name of ["allow_comments", "allow_duets", "allow_stitches"]) {
      if (on(name)) {
        variant[name] = true;
      }
    }
    if (on("discloses_commercial_content")) {
      variant.discloses_commercial_content = true;
      for (const name of ["promotes_own_brand", "branded_content"]) {
        if (on(name)) {
          variant[name] = true;
        }
      }
    }
    return variant;
  };

  /** A text's length as the account's platform counts it (TikTok: UTF-16 units, like `length`). */
  const lengthFor = (account, text) => (account && account.utf16 ? (text || "").length : charCount(text));

  /** TikTok's disclosure rules in the form: the choices show with the switch on, branded content is never private, and the declaration names the policies that apply. */
  const syncTikTok = (panel) => {
    const disclose = field(panel, "discloses_commercial_content");
    if (!disclose) {
      return;
    }
    const choices = panel.querySelector("[data-disclosure-choices]");
    if (choices) {
      choices.hidden = !disclose.checked;
    }
    const branded = field(panel, "branded_content");
    const privacy = field(panel, "privacy");
    const brandedOn = disclose.checked && branded && branded.checked;
    if (privacy) {
      for (const option of privacy.options) {
        if (option.value === "SELF_ONLY") {
          option.disabled = brandedOn;
        }
      }
      if (brandedOn && privacy.value === "SELF_ONLY") {
        privacy.value = "";
      }
    }
    if (branded) {
      branded.disabled = !brandedOn && Boolean(privacy && privacy.value === "SELF_ONLY");
    }
    for (const note of panel.querySelectorAll("[data-declaration]")) {
      note.hidden = note.dataset.declaration !== (brandedOn ? "branded" : "plain");
    }
  };

  const thumb = (id) => {
    const item = library.get(id);
    if (item && item.thumbnail_url) {
      return element("img", { src: item.thumbnail_url, alt: "", width: 64, height: 64, loading: "lazy" });
    }
    const kind = item && item.kind === "video" ? copy("compose.video") : copy("compose.image");
    return element("span", { className: "thumb-placeholder", text: kind });
  };

  // ---- tabs

  const renderTabs = () => {
    const ids = chosen().filter((id) => panelOf(id));
    if (!ids.includes(active)) {
      active = ids[0] || null;
    }
    tabs.hidden = ids.length === 0;
    document.getElementById("variants-empty").hidden = ids.length > 0;
    tabs.replaceChildren();
    ids.forEach((id, index) => {
      const account = config.accounts[id] || {};
      const button = element(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${id}`,
          className: "variant-tab",
          "aria-controls": `variant-${id}`,
          "aria-selected": String(id === active),
          tabindex: id === active ? "0" : "-1",
          "data-account": id,
        },
        [
          element("span", { className: `prov prov-${account.slug}`, "aria-hidden": "true", text: account.mark || "" }),
          element("span", { className: "tab-name", text: `${account.name} · ${account.platform}` }),
          element("span", { className: "tab-badge", "data-badge": "" }),
        ],
      );
      button.addEventListener("click", () => {
        active = id;
        renderTabs();
        button.focus();
      });
      button.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (step) {
          event.preventDefault();
          active = ids[(index + step + ids.length) % ids.length];
          renderTabs();
          const next = document.getElementById(`tab-${active}`);
          if (next) {
            next.focus();
          }
        }
      });
      tabs.append(button);
    });
    for (const panel of panels) {
      const id = panel.dataset.account;
      panel.hidden = id !== active;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", `tab-${id}`);
    }
    showBadges();
  };

  // ---- media: chosen list, library grid, per-account lists

  const renderSelected = () => {
    const ids = shared();
    selected.replaceChildren();
    if (ids.length === 0) {
      selected.append(element("li", { className: "hint", text: copy("compose.media_empty") }));
    }
    ids.forEach((id, index) => {
      const move = (step) => {
        const list = shared();
        const [item] = list.splice(index, 1);
        list.splice(index + step, 0, item);
        setShared(list);
        refresh();
      };
      const up = element("button", { type: "button", className: "icon-button", "aria-label": `${copy("compose.move_up")}: ${mediaName(id)}`, text: "←" });
      up.disabled = index === 0;
      up.addEventListener("click", () => move(-1));
      const down = element("button", { type: "button", className: "icon-button", "aria-label": `${copy("compose.move_down")}: ${mediaName(id)}`, text: "→" });
      down.disabled = index === ids.length - 1;
      down.addEventListener("click", () => move(1));
      const remove = element("button", { type: "button", className: "icon-button", "aria-label": `${copy("compose.remove_media")}: ${mediaName(id)}`, text: "×" });
      remove.addEventListener("click", () => {
        setShared(shared().filter((m) => m !== id));
        refresh();
      });
      selected.append(
        element("li", { className: "media-chosen", "data-media": id }, [
          thumb(id),
          element("span", { className: "media-name", text: mediaName(id) }),
          element("span", { className: "media-order" }, [up, down, remove]),
        ]),
      );
    });
  };

  const renderLibrary = () => {
    const ids = shared();
    grid.replaceChildren();
    if (library.size === 0) {
      grid.append(element("li", { className: "hint", text: copy("compose.library_empty") }));
      return;
    }
    for (const [id, item] of library) {
      const button = element(
        "button",
        {
          type: "button",
          className: "media-tile",
          "aria-pressed": String(ids.includes(id)),
          "data-media": id,
          "data-kind": item.kind,
          title: item.filename,
        },
        [thumb(id), element("span", { className: "media-name", text: item.filename })],
      );
      button.addEventListener("click", () => {
        const list = shared();
        setShared(list.includes(id) ? list.filter((m) => m !== id) : list.concat([id]));
        refresh();
      });
      grid.append(element("li", {}, [button]));
    }
  };

  const renderPanelMedia = (panel) => {
    const list = panel.querySelector("[data-variant-media]");
    const own = field(panel, "own_media");
    const current = panelMedia(panel);
    const all = current.concat(shared().filter((id) => !current.includes(id)));
    list.replaceChildren();
    all.forEach((id) => {
      const box = element("input", { type: "checkbox", "data-include": id });
      box.checked = current.includes(id);
      box.addEventListener("change", () => {
        const included = Array.from(list.querySelectorAll("input[data-include]"))
          .filter((b) => b.checked)
          .map((b) => b.dataset.include);
        field(panel, "media").value = included.join(",");
        own.checked = included.join(",") !== shared().join(",");
        refresh();
      });
      list.append(
        element("li", { className: "media-include" }, [
          element("label", {}, [box, thumb(id), element("span", { className: "media-name", text: mediaName(id) })]),
        ]),
      );
    });
  };

  // ---- counters and previews

  const counter = (el, count, max) => {
    if (!el) {
      return;
    }
    if (!max) {
      el.textContent = "";
      return;
    }
    const over = count - max;
    el.textContent = over > 0 ? copy("compose.counter_over", { count, max, over }) : copy("compose.counter", { count, max });
    el.classList.toggle("over", over > 0);
  };

  const renderCounters = () => {
    const sharedCounter = form.querySelector('.composer-content [data-counter-for="caption"]');
    let tightest = null;
    for (const id of chosen()) {
      const panel = panelOf(id);
      const account = config.accounts[id];
      if (!panel || !account || value(panel, "caption").trim()) {
        continue;
      }
      if (!tightest || account.captionMax < tightest.captionMax) {
        tightest = account;
      }
    }
    const count = lengthFor(tightest, caption.value);
    if (tightest) {
      sharedCounter.textContent = copy("compose.shared_caption_hint", {
        count,
        max: tightest.captionMax,
        platform: tightest.platform,
      });
      sharedCounter.classList.toggle("over", count > tightest.captionMax);
    } else {
      sharedCounter.textContent = "";
    }
    for (const panel of panels) {
      const account = config.accounts[panel.dataset.account] || {};
      const own = value(panel, "caption");
      counter(
        panel.querySelector('[data-counter-for="caption"]'),
        lengthFor(account, own.trim() ? own : caption.value),
        account.captionMax,
      );
      counter(panel.querySelector('[data-counter-for="title"]'), lengthFor(account, value(panel, "title").trim()), account.titleMax);
    }
  };

  const renderPreview = (panel) => {
    const id = panel.dataset.account;
    const box = panel.querySelector("[data-preview]");
    if (!box || !chosen().includes(id)) {
      return;
    }
    const variant = variantOf(id);
    box.hidden = false;
    const media = box.querySelector("[data-preview-media]");
    media.replaceChildren();
    if (variant.media.length > 0) {
      const item = library.get(variant.media[0]);
      if (item && item.thumbnail_url) {
        media.append(element("img", { src: item.thumbnail_url, alt: item.filename || "" }));
      } else {
        media.append(element("span", { className: "thumb-placeholder", text: mediaName(variant.media[0]) }));
      }
      if (variant.media.length > 1) {
        media.append(element("span", { className: "preview-more", text: `+${variant.media.length - 1}` }));
      }
    }
    const title = box.querySelector("[data-preview-title]");
    title.textContent = variant.title || "";
    title.hidden = !variant.title;
    const text = box.querySelector("[data-preview-caption]");
    text.textContent = variant.caption.trim() ? variant.caption : copy("compose.preview_empty");
  };

  // ---- validation


  const showBadges = () => {
    for (const report of reports) {
      const tab = document.getElementById(`tab-${report.connection_id}`);
      if (!tab) {
        continue;
      }
      const errors = report.issues.filter((i) => i.severity === "error").length;
      const warnings = report.issues.length - errors;
      const badge = tab.querySelector("[data-badge]");
      badge.textContent = errors ? String(errors) : warnings ? "!" : "✓";
      badge.className = `tab-badge ${errors ? "bad" : warnings ? "warn" : "ok"}`;
      badge.setAttribute("aria-label", copy("compose.issues_count", { errors, warnings }));
    }
  };

  const showIssues = () => {
    for (const panel of panels) {
      for (const list of panel.querySelectorAll("[data-issues-for]")) {
        list.replaceChildren();
      }
      for (const input of panel.querySelectorAll("[aria-invalid]")) {
        input.removeAttribute("aria-invalid");
      }
    }
    let errors = 0;
    let warnings = 0;
    for (const report of reports) {
      const panel = panelOf(report.connection_id);
      if (!panel) {
        continue;
      }
      for (const issue of report.issues) {
        const isError = issue.severity === "error";
        if (isError) {
          errors += 1;
        } else {
          warnings += 1;
        }
        const list =
          panel.querySelector(`[data-issues-for="${issue.field}"]`) ||
          panel.querySelector('[data-issues-for="account"]');
        list.append(
          element("li", { className: `issue ${isError ? "issue-error" : "issue-warning"}`, "data-code": issue.code }, [
            element("span", { className: "issue-severity", text: `${copy(isError ? "compose.severity_error" : "compose.severity_warning")}: ` }),
            element("span", { text: issue.message }),
          ]),
        );
        const input = field(panel, issue.field);
        if (input && isError) {
          input.setAttribute("aria-invalid", "true");
        }
      }
    }
    status.textContent =
      reports.length === 0 ? "" : errors + warnings === 0 ? copy("compose.no_issues") : copy("compose.issues_count", { errors, warnings });
    status.className = `validation-status ${errors ? "bad" : warnings ? "warn" : reports.length ? "ok" : ""}`;
    showBadges();
  };

  let timer = null;
  let sequence = 0;
  const validate = async () => {
    const ids = chosen().filter((id) => panelOf(id));
    const mine = ++sequence;
    if (ids.length === 0) {
      reports = [];
      showIssues();
      return;
    }
    status.textContent = copy("compose.validating");
    const targets = ids.map((id) => ({ connection_id: id, variant: variantOf(id) }));
    try {
      const response = await fetch(config.validateApi, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": token },
        body: JSON.stringify({ targets }),
        credentials: "same-origin",
      });
      if (mine !== sequence) {
        return;
      }
      if (!response.ok) {
        status.textContent = "";
        return;
      }
      reports = await response.json();
      showIssues();
    } catch (error) {
      if (mine === sequence) {
        status.textContent = "";
      }
    }
  };
  const validateSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  };

  // ---- everything at once after a change

  const refresh = () => {
    renderSelected();
    renderLibrary();
    for (const panel of panels) {
      renderPanelMedia(panel);
      renderPreview(panel);
    }
    renderCounters();
    validateSoon();
  };

  // ---- the library over the media API

  const loadLibrary = async () => {
    try {
      const response = await fetch(`${config.mediaApi}?limit=100`, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const page = await response.json();
      library.clear();
      for (const item of page.items || []) {
        library.set(String(item.id), item);
      }
    } catch (error) {
      setMediaStatus(copy("compose.library_error"));
    }
    refresh();
  };

  const uploadFile = async (file) => {
    setMediaStatus(copy("compose.uploading", { name: file.name }));
    try {
      const response = await fetch(`${config.mediaApi}?filename=${encodeURIComponent(file.name)}`, {
        method: "POST",
        body: file,
        headers: {
          "content-type": file.type || "application/octet-stream",
          accept: "application/json",
          "x-csrf-token": token,
        },
        credentials: "same-origin",
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        const reason = (body.error && body.error.message) || String(response.status);
        setMediaStatus(copy("compose.upload_failed", { name: file.name, reason }));
        return;
      }
      const id = String(body.id);
      library.set(id, body);
      if (!shared().includes(id)) {
        setShared(shared().concat([id]));
      }
      setMediaStatus(copy("compose.uploaded", { name: file.name }));
    } catch (error) {
      setMediaStatus(copy("compose.upload_failed", { name: file.name, reason: error.message }));
    }
  };

  upload.addEventListener("change", async () => {
    const files = Array.from(upload.files || []);
    for (const file of files) {
      await uploadFile(file);
    }
    upload.value = "";
    await loadLibrary();
  });

  // ---- Google Drive, when a Google account is connected

  if (config.driveConnection) {
    driveButton.hidden = false;
    const base = config.mediaApi.replace(/\/media$/, "");
    driveButton.addEventListener("click", async () => {
      driveFiles.hidden = false;
      driveFiles.replaceChildren(element("p", { className: "hint", text: copy("compose.validating") }));
      try {
        const response = await fetch(`${base}/drive/${encodeURIComponent(config.driveConnection)}/files`, {
          headers: { accept: "application/json" },
          credentials: "same-origin",
        });
        const body = await response.json().catch(() => ({}));
        if (!response.ok) {
          throw new Error((body.error && body.error.message) || String(response.status));
        }
        const files = (body.files || []).filter(
          (f) => f.can_download && (f.mime_type.startsWith("image/") || f.mime_type.startsWith("video/")),
        );
        driveFiles.replaceChildren();
        if (files.length === 0) {
          driveFiles.append(element("p", { className: "hint", text: copy("compose.drive_empty") }));
          return;
        }
        const list = element("ul", { className: "drive-list" });
        for (const file of files) {
          const button = element("button", { type: "button", className: "button secondary small", text: copy("compose.drive_import") });
          button.addEventListener("click", async () => {
            button.disabled = true;
            setMediaStatus(copy("compose.drive_importing", { name: file.name }));
            const answer = await fetch(`${config.mediaApi}/import/drive`, {
              method: "POST",
              headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": token },
              body: JSON.stringify({ connection_id: config.driveConnection, file_id: file.id }),
              credentials: "same-origin",
            }).catch(() => null);
            if (!answer || !answer.ok) {
              button.disabled = false;
              setMediaStatus(copy("compose.drive_failed", { reason: answer ? answer.status : "" }));
              return;
            }
            setMediaStatus(copy("compose.drive_started", { name: file.name }));
            // The import runs as a job: look for it in the library a few times.
            for (let i = 0; i < 20; i += 1) {
              await new Promise((resolve) => setTimeout(resolve, 3000));
              const before = library.size;
              await loadLibrary();
              if (library.size > before) {
                break;
              }
            }
          });
          list.append(element("li", {}, [element("span", { text: file.name }), button]));
        }
        driveFiles.append(list);
      } catch (error) {
        driveFiles.replaceChildren(element("p", { className: "hint", text: copy("compose.drive_failed", { reason: error.message }) }));
      }
    });
  }

  // ---- wiring

  const zone = document.getElementById("time_zone");
  if (zone && zone.hasAttribute("data-from-browser")) {
    try {
      const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (Array.from(zone.options).some((o) => o.value === browser)) {
        zone.value = browser;
      }
    } catch (error) {
      // The server's choice stays.
    }
  }
  for (const box of checkboxes) {
    box.addEventListener("change", () => {
      renderTabs();
      refresh();
    });
  }
  for (const panel of panels) {
    field(panel, "own_media").addEventListener("change", (event) => {
      if (event.target.checked) {
        field(panel, "media").value = shared().join(",");
      }
      refresh();
    });
  }
  form.addEventListener("input", (event) => {
    if (event.target.matches("textarea, input[type=text], input[type=url], input:not([type])")) {
      renderCounters();
      for (const panel of panels) {
        renderPreview(panel);
      }
      validateSoon();
    }
  });
  form.addEventListener("change", (event) => {
    const panel = event.target.closest("fieldset.variant");
    if (panel && event.target.matches("input[type=checkbox][data-field], select[data-field]")) {
      syncTikTok(panel);
    }
    if (event.target.matches("select[data-field]")) {
      refresh();
    } else if (event.target.matches("input[type=checkbox][data-field]") && event.target.dataset.field !== "own_media") {
      validateSoon();
    }
  });
  for (const panel of panels) {
    syncTikTok(panel);
  }
  picker.hidden = false;
  renderTabs();
  refresh();
  loadLibrary();
});

// ------------------------------------------------------------------
// Live updates. Signed-in pages name their workspace's event stream in
// `data-live`; one stream per tab, open only while the tab is visible (a
// browser allows few connections per host). A `badge` event sets the
// rail's unread count. An `inbox` event carries the inbox's fingerprint;
// when it differs from the one the page was rendered with
// (`data-pulse`), the page is fetched again and its `data-live-region`
// elements are swapped for the fresh ones (forms outside them keep what
// was typed). Without scripts nothing of this runs: a reload shows what
// is new.

document.addEventListener("DOMContentLoaded", () => {
  const layout = document.querySelector("[data-live]");
  if (!layout || typeof EventSource === "undefined") {
    return;
  }
  const url = layout.getAttribute("data-live");
  let source = null;
  let busy = false;
  let again = false;

  const setBadge = (count) => {
    const holder = document.querySelector(".rail-notifications");
    const link = holder && holder.querySelector("a");
    if (!link) {
      return;
    }
    let badge = link.querySelector(".unread-count");
    if (!count) {
      if (badge) {
        badge.remove();
      }
      return;
    }
    if (!badge) {
      badge = element("span", { className: "badge unread-count" });
      link.append(" ", badge);
    }
    badge.setAttribute("data-unread", String(count));
    badge.replaceChildren(
      String(count),
      element("span", { className: "visually-hidden", text: " " + (holder.getAttribute("data-unread-label") || "") }),
    );
  };

  const pulseOf = (data) => {
    try {
      const value = JSON.parse(data);
      return `${value.items}-${value.changed}`;
    } catch (error) {
      return null;
    }
  };

  const refresh = async () => {
    const regions = document.querySelectorAll("[data-live-region]");
    if (regions.length === 0) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const response = await fetch(window.location.href, {
        headers: { accept: "text/html" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok && !response.redirected) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const region of regions) {
          const name = region.getAttribute("data-live-region");
          const replacement = fresh.querySelector(`[data-live-region="${name}"]`);
          if (replacement) {
            region.replaceWith(document.importNode(replacement, true));
          }
        }
        markRead();
      }
    } catch (error) {
      // Offline for a moment: the next event tries again.
    }
    busy = false;
    if (again) {
      again = false;
      refresh();
    }
  };

  // A thread opened while unread is read now (the same POST its button
  // sends); without scripts the button does it.
  const markRead = () => {
    const thread = document.querySelector('[data-live-region="thread"][data-read="false"]');
    const form = thread && thread.querySelector("form[data-mark-read]");
    if (!form) {
      return;
    }
    thread.setAttribute("data-read", "pending");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(() => refresh())
      .catch(() => {
        thread.setAttribute("data-read", "false");
      });
  };

  const open = () => {
    if (source) {
      return;
    }
    source = new EventSource(url);
    source.addEventListener("badge", (event) => {
      try {
        setBadge(JSON.parse(event.data).unread);
      } catch (error) {
        // A malformed event changes nothing.
      }
    });
    source.addEventListener("inbox", (event) => {
      const pulse = pulseOf(event.data);
      const shown = document.querySelector("[data-live-region][data-pulse]");
      if (pulse && shown && shown.getAttribute("data-pulse") !== pulse) {
        refresh();
      }
    });
  };
  const close = () => {
    if (source) {
      source.close();
      source = null;
    }
  };
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      close();
    } else {
      open();
    }
  });
  window.addEventListener("pagehide", close);
  window.addEventListener("pageshow", () => {
    if (!document.hidden) {
      open();
    }
  });
  markRead();
  if (!document.hidden) {
    open();
  }
});

// ------------------------------------------------------------------
// A generation's page: the text as it streams in. The page names its
// event stream in `data-stream` while the generation runs; each
// `generation` event carries the status, the text so far and whether it
// ended, which reloads the page to show the result (usage, cost, the
// draft). Without scripts the page refreshes itself while it runs.

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-generation][data-stream]");
  if (!box || typeof EventSource === "undefined") {
    return;
  }
  const text = box.querySelector("[data-generation-text]");
  const label = box.querySelector("[data-status-label]");
  const retry = box.querySelector("[data-retry]");
  const source = new EventSource(box.getAttribute("data-stream"));
  source.addEventListener("generation", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    box.setAttribute("data-status", data.status);
    if (label) {
      label.textContent = data.status_label;
      label.className = `status-badge generation-${data.status}`;
    }
    if (text && typeof data.text === "string") {
      text.textContent = data.text;
    }
    if (retry) {
      retry.hidden = !data.retry;
      retry.textContent = data.retry ? data.retry : "";
    }
    if (data.done) {
      source.close();
      window.location.reload();
    }
  });
  window.addEventListener("pagehide", () => source.close());
});

// ------------------------------------------------------------------
// The draft editor: the buttons that add, remove and move beats, shots,
// slides and parts act in the page, and the draft saves itself about
// 1.5 s after the last change through the API, with the version the page
// started from. A conflict (someone saved meanwhile) is said, with a link
// to their version; nothing is overwritten. Without scripts the same
// buttons post the form and the server saves.

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("draft-editor");
  if (!form) {
    return;
  }
  let config;
  try {
    config = JSON.parse(form.dataset.config || "{}");
  } catch (error) {
    return;
  }
  const copy = (key, values) => fillText((config.copy || {})[key] || key, values || {});
  const token = (form.querySelector('input[name="_csrf"]') || {}).value || "";
  const base = form.querySelector("[data-base-version]");
  const status = document.getElementById("autosave-status");
  const fields = form.querySelector(".editor-fields");
  form.classList.add("enhanced");
  let timer = null;
  let saving = false;
  let again = false;
  let stopped = false;

  const say = (text, link) => {
    status.replaceChildren(text);
    if (link) {
      status.append(" ", element("a", { href: window.location.pathname + window.location.search, text: link }));
    }
  };

  const value = (root, name) => {
    const el = root.querySelector(`[data-field="${name}"]`);
    return el ? el.value : "";
  };
  const listValues = (kind) =>
    Array.from(form.querySelectorAll(`[data-list="${kind}"] > [data-item]`)).map((li) => value(li, kind));

  /** The piece as the API takes it, from the fields. */
  const content = () => {
    switch (fields.dataset.format) {
      case "script":
        return {
          format: "script",
          hook: value(fields, "hook"),
          beats: listValues("beat"),
          cta: value(fields, "cta"),
          shots: listValues("shot"),
          caption: value(fields, "caption"),
        };
      case "caption":
        return {
          format: "caption",
          text: value(fields, "text"),
          hashtags: value(fields, "hashtags")
            .split(/[\s,]+/)
            .filter((s) => s.length > 0),
        };
      case "carousel":
        return {
          format: "carousel",
          slides: Array.from(form.querySelectorAll('[data-list="slide"] > [data-item]')).map((li) => ({
            title: value(li, "slide_title"),
            body: value(li, "slide_body"),
          })),
          caption: value(fields, "caption"),
        };
      default:
        return { format: "thread", parts: listValues("part") };
    }
  };

  /** The version list, fresh from the server (it names the new version). */
  const refreshVersions = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) {
        return;
      }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const list = fresh.querySelector("[data-versions]");
      const current = document.querySelector("[data-versions]");
      if (list && current) {
        current.replaceWith(document.importNode(list, true));
      }
    } catch (error) {
      // The list catches up at the next save or reload.
    }
  };

  const save = async () => {
    if (stopped) {
      return;
    }
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    say(copy("saving"));
    const body = {
      title: value(form, "title"),
      content: content(),
      base_version: Number(base.value),
    };
    try {
      const response = await fetch(config.saveApi, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": token, accept: "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        const changed = String(answer.version) !== base.value;
        base.value = String(answer.version);
        form.dataset.savedVersion = String(answer.version);
        say(copy("saved", { version: answer.version }));
        if (changed) {
          refreshVersions();
        }
      } else if (response.status === 409) {
        stopped = true;
        form.dataset.conflict = "true";
        say(copy("conflict"), copy("reload"));
      } else {
        const reason = answer.error && answer.error.message ? answer.error.message : String(response.status);
        say(copy("failed", { reason }));
      }
    } catch (error) {
      say(copy("failed", { reason: String(error.message || error) }));
    }
    saving = false;
    if (again) {
      again = false;
      save();
    }
  };

  const soon = () => {
    if (stopped) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  };

  const renumber = (list) => {
    Array.from(list.children).forEach((li, i) => {
      const number = li.querySelector("[data-number]");
      if (number) {
        number.textContent = String(i + 1);
      }
    });
  };

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-op]");
    if (!button || !form.contains(button)) {
      return;
    }
    event.preventDefault();
    const op = button.dataset.op;
    if (op === "add") {
      const kind = button.dataset.kind;
      const list = form.querySelector(`[data-list="${kind}"]`);
      const template = form.querySelector(`template[data-item-template="${kind}"]`);
      if (!list || !template) {
        return;
      }
      const item = template.content.firstElementChild.cloneNode(true);
      list.append(item);
      renumber(list);
      const first = item.querySelector("input, textarea");
      if (first) {
        first.focus();
      }
    } else {
      const item = button.closest("[data-item]");
      const list = item && item.parentElement;
      if (!item || !list) {
        return;
      }
      if (op === "remove") {
        item.remove();
      } else if (op === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (op === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      renumber(list);
      button.focus();
    }
    soon();
  });
  // The Save button saves at once, through the same request.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    save();
  });
});
