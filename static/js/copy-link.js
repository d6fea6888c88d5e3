// "Copy link" buttons: progressive enhancement. Without JavaScript, or where the browser
// cannot write to the clipboard, the button stays hidden and the link can be selected in
// its read-only field. A separate file because the Content-Security-Policy forbids inline
// scripts.
(function () {
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.querySelector("[data-copy-status]");
    if (!field) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          button.textContent = "Link copied";
          if (status) {
            status.textContent = "The link has been copied.";
          }
          window.setTimeout(function () {
            button.textContent = label;
          }, 3000);
        },
        function () {
          // Copying was refused: select the link so it can be copied by hand.
          field.focus();
          field.select();
        }
      );
    });
  });
})();
