/* The rich-text editor of the management forms: TinyMCE, served by the portal itself
   (/tinymce/, from node_modules). Loaded as a file: the Content-Security-Policy forbids
   inline scripts. Without TinyMCE (not installed, or scripts off) the textarea still works;
   whatever is sent, the server cleans the HTML with its allow-list. The editor's own menus
   follow the page's language through the Vietnamese pack of tinymce-i18n. */
(function () {
  "use strict";

  // The same allow-list as the server's sanitiser (src/portal/sanitize.py).
  var VALID = "p,br,h2,h3,h4,strong/b,em/i,u,s,sub,sup,blockquote,ul,ol[start],li," +
    "a[href|title],img[src|alt|width|height],figure,figcaption,table,thead,tbody,tfoot,tr," +
    "th[colspan|rowspan|scope],td[colspan|rowspan],caption,hr,span,abbr[title],cite,q";

  function start() {
    var tinymce = window.tinymce;
    if (!tinymce || !document.querySelector("textarea[data-richtext]")) {
      return;
    }
    var vietnamese = document.documentElement.lang === "vi";
    var script = document.querySelector("script[src*='/static/manage.js']");
    var base = script ? script.src.replace(/\/static\/manage\.js.*$/, "") : "";
    tinymce.init({
      selector: "textarea[data-richtext]",
      language: vietnamese ? "vi" : "en",
      language_url: vietnamese ? base + "/tinymce-langs/vi.js" : undefined,
      license_key: "gpl",
      promotion: false,
      branding: false,
      menubar: false,
      plugins: "lists link table autolink code",
      toolbar: "undo redo | blocks | bold italic underline | bullist numlist blockquote | " +
        "link unlink | table | removeformat | code",
      block_formats: vietnamese
        ? "Đoạn văn=p; Tiêu đề 2=h2; Tiêu đề 3=h3; Tiêu đề 4=h4"
        : "Paragraph=p; Heading 2=h2; Heading 3=h3; Heading 4=h4",
      valid_elements: VALID,
      invalid_elements: "script,style,iframe,frame,object,embed,video,audio,form,input," +
        "button,select,textarea,svg,math,link,meta,base",
      // Pasting from Word or web pages keeps the structure, not the styling.
      paste_data_images: false,
      paste_webkit_styles: "none",
      paste_remove_styles_if_webkit: true,
      paste_block_drop: true,
      convert_urls: true,
      relative_urls: false,
      remove_script_host: true,
      link_default_target: "",
      target_list: false,
      link_title: false,
      entity_encoding: "raw",
      contextmenu: false,
      browser_spellcheck: true,
      height: 480,
      min_height: 320,
      resize: true,
      setup: function (editor) {
        editor.on("change input undo redo", function () { editor.save(); });
        // The editing area is an iframe: it takes the field's label as its title.
        editor.on("init", function () {
          var label = document.querySelector("label[for='" + editor.id + "']");
          if (label && editor.iframeElement) {
            editor.iframeElement.title = label.textContent.replace("*", "").trim();
          }
        });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
