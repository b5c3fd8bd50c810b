// Progressive enhancement only: every resident page works without this file.
// With it: answers are kept on the phone as they are given and restored when the page is
// reopened; submitting goes through fetch with the form's signed token, so a network
// failure leaves the page, the answers and the submission id in place for a retry (the
// server returns the first receipt for a repeated id); progress and missing answers are
// shown; inside WeChat a 关闭 button closes the web view and, with an official account, the
// share card of a forwarded link carries the campaign's title and text.
(function () {
  "use strict";
  var STORE_PREFIX = "sq:answers:";
  var TOKEN_MAX_MS = 11 * 3600 * 1000;  // the server accepts a form token for 12 h
  var TIMEOUT_MS = 25000;               // a weak mobile network: long, but not forever
  var OUR_PAGES = { form: 1, thanks: 1, already: 1, expired: 1, unavailable: 1 };
  var MSG_NETWORK = "网络不稳定，答卷尚未提交，请检查网络后点击重新提交";
  var MSG_BUSY = "服务器繁忙，答卷尚未提交，请稍后点击重新提交";
  var inWeChat = /MicroMessenger/i.test(navigator.userAgent);

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // blocked in some web views
  }
  function readSaved(code) {
    var s = storage();
    try { return s ? JSON.parse(s.getItem(STORE_PREFIX + code) || "null") : null; } catch (e) { return null; }
  }
  function writeSaved(code, record) {
    var s = storage();
    try { if (s) s.setItem(STORE_PREFIX + code, JSON.stringify(record)); } catch (e) { /* full or blocked */ }
  }
  function forget(code) {
    var s = storage();
    try { if (s) s.removeItem(STORE_PREFIX + code); } catch (e) { /* blocked */ }
  }

  function closeWindow() {
    whenBridge(function () { window.WeixinJSBridge.call("closeWindow"); });
  }

  function whenBridge(fn) {
    if (window.WeixinJSBridge) fn();
    else document.addEventListener("WeixinJSBridgeReady", fn, false);
  }

  // The share card, without the JS-SDK file (it would have to come from Tencent's CDN): the
  // same two WeixinJSBridge calls the SDK's wx.config and wx.updateAppMessageShareData make,
  // with the config the server signed for this page's URL.
  function setShareCard(endpoint) {
    if (!inWeChat || !window.fetch) return;
    fetch(endpoint + "?url=" + encodeURIComponent(window.location.href.split("#")[0]), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (card) {
        if (!card) return;
        whenBridge(function () {
          function invoke(name, args, done) {
            args.appId = card.appId;
            args.verifyAppId = card.appId;
            args.verifySignType = "sha1";
            args.verifyTimestamp = String(card.timestamp);
            args.verifyNonceStr = card.nonceStr;
            args.verifySignature = card.signature;
            window.WeixinJSBridge.invoke(name, args, done || function () {});
          }
          invoke("preVerifyJSAPI", { verifyJsApiList: ["updateAppMessageShareData", "updateTimelineShareData"],
                                     verifyOpenTagList: [] }, function () {
            invoke("updateAppMessageShareData", { title: card.title, desc: card.desc, link: card.link, imgUrl: card.imgUrl });
            invoke("updateTimelineShareData", { title: card.title, link: card.link, imgUrl: card.imgUrl });
          });
        });
      })
      .catch(function () { /* no card: WeChat shows the page title, which is fine */ });
  }

  function initPage() {
    var done = document.querySelector("[data-clear-answers]");
    if (done) forget(done.getAttribute("data-clear-answers"));  // thank-you / already answered
    var close = document.querySelector("[data-wechat-close]");
    if (close && inWeChat) {
      close.hidden = false;
      close.addEventListener("click", closeWindow);
    }
    var form = document.getElementById("survey-form");
    if (form) {
      if (form.getAttribute("data-share")) setShareCard(form.getAttribute("data-share"));
      initForm(form);
    }
  }

  function initForm(form) {
    var code = form.getAttribute("data-entry");
    var token = form.elements.token;
    var button = document.getElementById("submit-btn");
    var message = document.getElementById("submit-msg");
    var sets = form.querySelectorAll("fieldset.q");
    var started = Date.now();
    var issued = Date.now();
    var sending = false;

    function answered(fieldset) {
      var text = fieldset.querySelector("textarea");
      return !!(fieldset.querySelector("input:checked") || (text && text.value.trim()));
    }
    function collect() {
      var answers = {};
      for (var i = 0; i < form.elements.length; i++) {
        var el = form.elements[i];
        if ((el.type === "radio" && el.checked) || (el.tagName === "TEXTAREA" && el.value)) answers[el.name] = el.value;
      }
      return answers;
    }
    function save() {
      writeSaved(code, { token: token.value, t: issued, a: collect() });
    }
    function restore() {
      var saved = readSaved(code);
      if (!saved || !saved.a) return 0;
      var n = 0;
      for (var name in saved.a) {
        if (!Object.prototype.hasOwnProperty.call(saved.a, name)) continue;
        var value = String(saved.a[name]);
        var field = form.elements[name];
        if (!field) continue;
        if (field.tagName === "TEXTAREA") {
          if (!field.value) { field.value = value; n++; }
        } else {
          var radio = form.querySelector("input[type=radio][name='" + name.replace(/'/g, "") + "'][value='" + value.replace(/'/g, "") + "']");
          if (radio && !form.querySelector("input[name='" + name.replace(/'/g, "") + "']:checked")) { radio.checked = true; n++; }
        }
      }
      // The same submission id as before the page was closed: if that submit did reach the
      // server, this one gets its receipt instead of a second answer.
      if (saved.token && typeof saved.t === "number" && Date.now() - saved.t < TOKEN_MAX_MS) {
        token.value = saved.token;
        issued = saved.t;
      }
      return n;
    }
    function progress() {
      var n = 0;
      for (var i = 0; i < sets.length; i++) if (answered(sets[i])) n++;
      document.getElementById("progress-text").textContent = "已答 " + n + " / 共 " + sets.length + " 题";
      document.getElementById("progress-bar").value = n;
    }
    function markError(fieldset, text) {
      fieldset.classList.add("q--error");
      var p = fieldset.querySelector(".q-error");
      if (!p) {
        p = document.createElement("p");
        p.className = "q-error";
        p.setAttribute("role", "alert");
        fieldset.insertBefore(p, fieldset.children[1] || null);
      }
      p.textContent = text;
    }
    function say(text) {
      message.textContent = text;
      message.hidden = !text;
    }
    function ready(label) {
      sending = false;
      button.disabled = false;
      button.textContent = label;
    }

    function clearMark(ev) {
      var fieldset = ev.target.closest("fieldset");
      if (fieldset && answered(fieldset)) {
        fieldset.classList.remove("q--error");
        var p = fieldset.querySelector(".q-error");
        if (p) p.parentNode.removeChild(p);
      }
      save();
      progress();
    }
    form.addEventListener("change", clearMark);
    form.addEventListener("input", clearMark);

    var restored = restore();
    if (restored) {
      var note = document.getElementById("restored");
      note.textContent = "已为您恢复上次填写的 " + restored + " 道题，请继续作答。";
      note.hidden = false;
    }
    progress();

    function failed(text) {
      save();  // the answers and the token stay on the phone, whatever happens to this page
      say(text);
      ready("重新提交");
      message.scrollIntoView({ block: "center" });
    }
    function received(status, html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var main = doc.querySelector("main.page");
      var kind = main && main.getAttribute("data-page");
      if (!kind || !OUR_PAGES[kind] || status >= 500 || status === 429) {
        failed(status >= 500 || status === 429 ? MSG_BUSY : MSG_NETWORK);  // or a portal's page
        return;
      }
      if (kind === "expired") writeSaved(code, { token: null, t: 0, a: collect() });  // answers kept
      document.title = doc.title;
      document.querySelector("main.page").innerHTML = main.innerHTML;
      document.querySelector("main.page").setAttribute("data-page", kind);
      window.scrollTo(0, 0);
      initPage();  // a thank-you clears the kept answers; a form with errors is enhanced again
    }
    function send() {
      var controller = window.AbortController ? new AbortController() : null;
      var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
      fetch(form.action, {
        method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
        redirect: "manual", signal: controller ? controller.signal : undefined,
      }).then(function (response) {
        if (response.type === "opaqueredirect") {
          // WeChat sign-in has lapsed: open the form again through it; the answers come back.
          save();
          window.location.href = form.action;
          return null;
        }
        return response.text().then(function (html) { clearTimeout(timer); received(response.status, html); });
      }).catch(function () {
        clearTimeout(timer);
        failed(MSG_NETWORK);
      });
    }

    form.addEventListener("submit", function (ev) {
      var missing = [];
      var first = null;
      for (var i = 0; i < sets.length; i++) {
        if (sets[i].getAttribute("data-required") === "true" && !answered(sets[i])) {
          markError(sets[i], "此题为必答题");
          missing.push(sets[i].getAttribute("data-no"));
          first = first || sets[i];
        }
      }
      if (first) {
        ev.preventDefault();
        say("还有 " + missing.length + " 道必答题未作答：第 " + missing.join("、") + " 题");
        first.scrollIntoView({ behavior: "smooth", block: "center" });
        return;
      }
      form.elements.client_ms.value = String(Date.now() - started);
      if (!window.fetch || !window.URLSearchParams || !window.FormData || !window.DOMParser) {
        button.disabled = true;  // an old web view: the plain form post, as without JavaScript
        button.textContent = "正在提交…";
        return;
      }
      ev.preventDefault();
      if (sending) return;  // a double tap while in flight; a repeat would be the same answer anyway
      sending = true;
      save();
      say("");
      button.disabled = true;
      button.textContent = "正在提交…";
      send();
    });
  }

  initPage();
})();
