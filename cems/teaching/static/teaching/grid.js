// The grade grid (teaching/grades/grid.html). htmx saves a cell on `change` and swaps the
// answer in; this file adds the keyboard and the marks around it:
// - Enter moves to the same column of the next row, Shift+Enter of the previous one (Tab
//   moves along the row as usual); leaving a cell saves it.
// - A cell typed in but not yet answered by the server is marked "unsaved" (the answer
//   replaces the whole cell, which clears the mark).
// - Submitting asks for confirmation, and waits while cells are unsaved.
// - The saves of one page are queued (hx-sync on each cell), so that their answers, which
//   carry the row totals and the count of missing results, arrive in the order sent.
(function () {
  "use strict";

  function gradeInput(element) {
    return element instanceof HTMLInputElement && element.classList.contains("gradeinput");
  }

  function inputBelow(input, step) {
    var cell = input.closest("td");
    var row = cell.parentElement;
    for (;;) {
      row = step > 0 ? row.nextElementSibling : row.previousElementSibling;
      if (!row) return null;
      var target = row.cells[cell.cellIndex];
      var next = target && target.querySelector("input.gradeinput");
      if (next) return next;
    }
  }

  document.addEventListener("input", function (event) {
    if (gradeInput(event.target)) event.target.closest("td").classList.add("unsaved");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !gradeInput(event.target)) return;
    event.preventDefault();
    var input = event.target;
    var next = inputBelow(input, event.shiftKey ? -1 : 1);
    if (next) {
      next.focus(); // leaving the cell fires `change`, which saves it
      next.select();
    } else if (input.closest("td").classList.contains("unsaved")) {
      input.dispatchEvent(new Event("change", { bubbles: true })); // the last row: save here
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.submitgrades")) return;
    if (document.querySelector("table.grades td.unsaved")) {
      event.preventDefault();
      window.alert(form.dataset.unsaved);
    } else if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
