/// The portal's only script: progressive enhancement, so every page works without it. It shows the copy buttons
/// (hidden in the HTML, since they do nothing without script) and puts a button's `data-copy` text on the clipboard;
/// where the clipboard is not available it selects the text so that Ctrl+C copies it. A region marked `data-live="N"`
/// (the job queue while work waits or runs) is fetched again every N seconds while the tab is visible and replaced
/// by the same region of the fresh page, until the server stops marking it live. A form marked `data-upload` (the
/// advisory import) is shown and sends its file as the request body to that API path, with the session's CSRF token.
enum PortalScript {
    static let text = #"""
        "use strict";
        const showCopyButtons = () => document.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
        showCopyButtons();
        document.querySelectorAll("[data-live]").forEach((region) => {
          const id = region.id;
          const seconds = Math.max(2, Number(region.dataset.live) || 5);
          const timer = setInterval(async () => {
            if (document.hidden) return;
            const current = document.getElementById(id);
            if (!current || current.contains(document.activeElement) && document.activeElement !== document.body) return;
            try {
              const answer = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
              if (!answer.ok) return;
              const fresh = new DOMParser().parseFromString(await answer.text(), "text/html").getElementById(id);
              if (!fresh) return;
              current.replaceWith(document.importNode(fresh, true));
              showCopyButtons();
              if (!fresh.hasAttribute("data-live")) clearInterval(timer);
            } catch (problem) { /* the next tick tries again */ }
          }, seconds * 1000);
        });
        document.querySelectorAll("form[data-upload]").forEach((form) => {
          form.hidden = false;
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            const file = form.querySelector("input[type=file]").files[0];
            const status = form.querySelector("[role=status]");
            if (!file) return;
            const source = form.querySelector("input[name=source]").value;
            const type = file.name.endsWith(".json") ? "application/json" : file.name.endsWith(".zip") ? "application/zip" : "application/octet-stream";
            status.textContent = "Importing " + file.name + "…";
            try {
              const answer = await fetch(form.dataset.upload + "?source=" + encodeURIComponent(source), {
                method: "POST", credentials: "same-origin", body: file,
                headers: { "Content-Type": type, "X-Harbor-CSRF-Token": form.querySelector("input[name=csrf_token]").value },
              });
              const body = await answer.json().catch(() => ({}));
              if (answer.ok) {
                status.textContent = "Imported " + body.source.advisories + " advisories into " + body.source.name + ".";
                setTimeout(() => location.reload(), 1500);
              } else {
                status.textContent = (body.errors && body.errors[0] && body.errors[0].message) || ("The import failed (" + answer.status + ").");
              }
            } catch (problem) { status.textContent = "The import failed: " + problem; }
          });
        });
        document.addEventListener("click", async (event) => {
          const button = event.target.closest("button[data-copy]");
          if (!button) return;
          const label = button.dataset.label || button.textContent;
          button.dataset.label = label;
          try {
            await navigator.clipboard.writeText(button.dataset.copy);
            button.textContent = "Copied";
          } catch (problem) {
            const target = document.getElementById(button.dataset.target || "");
            if (target) {
              const range = document.createRange();
              range.selectNodeContents(target);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
            }
            button.textContent = "Press Ctrl+C";
          }
          setTimeout(() => { button.textContent = label; }, 2000);
        });
        """#
}
