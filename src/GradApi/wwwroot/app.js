// The GradApi playground: reads the expression and its inputs, asks the service, shows the answer.
// Plain script, no framework, no build step. Everything the service or the user wrote is put on the
// page as text (textContent), never as HTML.
'use strict';

const NEURON_INPUTS = [['w0', '2'], ['x0', '-1'], ['w1', '-3'], ['x1', '-2'], ['w2', '-3']];

const $ = (id) => document.getElementById(id);
const form = $('form');
const expression = $('expression');
const errorBox = $('error');
const inputList = $('inputs');
const statusLine = $('status');
const results = $('results');
let pictureUrl = null;
let busy = false;

/** A number as shown: 4 significant digits, trailing zeros trimmed (-0.1966, 2, 1.235e+6). */
function shown(value) {
  if (value === null || value === undefined) return '\u2013';
  if (value === 0) return '0';
  return String(Number(value.toPrecision(4)));
}

/** A table cell or span with the rounded number and the full one in its title. */
function numberCell(tag, value, className) {
  const cell = document.createElement(tag);
  cell.textContent = shown(value);
  if (value !== null && value !== undefined) cell.title = String(value);
  if (className) cell.className = className;
  return cell;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// ---- Inputs: one row per name = value, added and removed by the user. ----

function addInputRow(name, value, focus) {
  const row = document.createElement('li');
  const nameLabel = element('label', '', 'sr-only');
  const nameInput = element('input', undefined, 'name');
  const equals = element('span', '=', 'equals');
  const valueLabel = element('label', '', 'sr-only');
  const valueInput = element('input', undefined, 'value');
  const remove = element('button', 'Remove', 'secondary remove');
  nameInput.type = 'text';
  nameInput.value = name;
  nameInput.autocomplete = 'off';
  nameInput.spellcheck = false;
  valueInput.type = 'text';
  valueInput.inputMode = 'decimal';
  valueInput.value = value;
  valueInput.autocomplete = 'off';
  remove.type = 'button';
  equals.setAttribute('aria-hidden', 'true');
  nameInput.addEventListener('input', () => relabel());
  remove.addEventListener('click', () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    relabel();
    (next ? next.querySelector('input.name') : $('add-input')).focus();
  });
  row.append(nameLabel, nameInput, equals, valueLabel, valueInput, remove);
  inputList.append(row);
  relabel();
  if (focus) nameInput.focus();
}

/** Gives every row's fields ids and labels that name their input, e.g. "Value of w0". */
function relabel() {
  [...inputList.children].forEach((row, i) => {
    const [nameLabel, valueLabel] = row.querySelectorAll('label');
    const nameInput = row.querySelector('input.name');
    const valueInput = row.querySelector('input.value');
    const name = nameInput.value.trim() || `input ${i + 1}`;
    nameInput.id = `input-name-${i}`;
    valueInput.id = `input-value-${i}`;
    nameLabel.htmlFor = nameInput.id;
    valueLabel.htmlFor = valueInput.id;
    nameLabel.textContent = `Name of input ${i + 1}`;
    valueLabel.textContent = `Value of ${name}`;
    row.querySelector('button.remove').setAttribute('aria-label', `Remove ${name}`);
  });
}

/** The request body, or a message saying which field is wrong. */
function readBody() {
  const inputs = {};
  for (const row of inputList.children) {
    const name = row.querySelector('input.name').value.trim();
    const text = row.querySelector('input.value').value.trim();
    if (name === '' && text === '') continue;
    if (name === '') return { problem: { title: 'An input has no name', detail: `Give the value ${text} a name, or remove its row.` } };
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      return { problem: { title: 'An input is not a number', detail: `The value of ${name} must be a number, not '${text}'.` } };
    }
    if (Object.hasOwn(inputs, name)) return { problem: { title: 'An input is named twice', detail: `${name} has two rows.` } };
    inputs[name] = value;
  }
  return { body: { expression: expression.value, inputs } };
}

// ---- Talking to the service. ----

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, image/svg+xml, application/problem+json' },
    body: JSON.stringify(body),
  });
  return response;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `The service answered ${response.status}`, detail: response.statusText };
  }
}

/** Runs the expression: kind is 'training', 'inference' or 'check'. */
async function run(kind) {
  if (busy) return;
  const { body, problem } = readBody();
  if (problem) {
    showProblem(problem);
    return;
  }
  busy = true;
  results.setAttribute('aria-busy', 'true');
  statusLine.textContent = kind === 'inference' ? 'Running forward only\u2026' : 'Evaluating\u2026';
  try {
    if (kind === 'inference') {
      const [evaluated, parsed] = await Promise.all([post('/v1/evaluate?mode=inference', body), post('/v1/parse', body)]);
      if (!evaluated.ok) return showProblem(await problemOf(evaluated));
      const answer = await evaluated.json();
      const graph = parsed.ok ? await parsed.json() : { nodes: [] };
      clearProblem();
      showInference(answer, graph);
    } else {
      const query = kind === 'check' ? '?explain=true&check=numeric' : '?explain=true';
      const [evaluated, rendered] = await Promise.all([post(`/v1/evaluate${query}`, body), post('/v1/render?format=svg', body)]);
      if (!evaluated.ok) return showProblem(await problemOf(evaluated));
      const answer = await evaluated.json();
      clearProblem();
      showTraining(answer, rendered.ok ? await rendered.blob() : await problemOf(rendered));
    }
  } catch (failure) {
    showProblem({ title: 'The service could not be reached', detail: String(failure.message || failure) });
  } finally {
    busy = false;
    results.removeAttribute('aria-busy');
  }
}

// ---- Showing answers. ----

function showTraining(answer, picture) {
  results.hidden = false;
  showPicture(picture, answer.nodes.length);
  fillNodes(answer.nodes.map((n) => ({ ...n, shownValue: n.value, shownGrad: n.grad })), answer.output);
  $('nodes-caption').textContent = `Every node's value and grad = \u2202${answer.output}/\u2202node, in the order the graph was built`;
  showStats(answer);
  fillTrace(answer.backward || [], answer.output);
  $('trace-section').hidden = false;
  showCheck(answer.gradcheck);
  const checked = answer.gradcheck ? ` Gradient check ${answer.gradcheck.passed ? 'passed' : 'failed'}.` : '';
  statusLine.textContent = `Evaluated: ${answer.output} = ${shown(answer.value)}, with the gradient of every node.${checked}`;
}

function showInference(answer, graph) {
  results.hidden = false;
  showPicture(null, 0, 'Inference runs forward only and keeps nothing for a backward pass: there are no gradients to draw.');
  const nodes = graph.nodes.map((n) => ({
    id: n.id, label: n.label, op: n.op,
    shownValue: n.id === answer.output ? answer.value : null,
    shownGrad: null,
  }));
  fillNodes(nodes, answer.output, true);
  $('nodes-caption').textContent = 'Inference keeps only the output\'s value: every other value is dropped once read, and no grad is computed';
  showStats(answer);
  $('trace').replaceChildren();
  $('trace-section').hidden = true;
  showCheck(null);
  statusLine.textContent = `Inference: ${answer.output} = ${shown(answer.value)}. No gradients were computed.`;
}

function showPicture(picture, nodeCount, note) {
  const image = $('picture');
  const frame = $('picture-frame');
  if (pictureUrl) URL.revokeObjectURL(pictureUrl);
  pictureUrl = null;
  if (picture instanceof Blob) {
    pictureUrl = URL.createObjectURL(picture);
    image.src = pictureUrl;
    image.alt = `The graph as a picture: ${nodeCount} nodes, each with its value in green and its grad in red; `
      + 'each edge labelled in red with the gradient flowing back along it.';
    image.hidden = false;
    frame.hidden = false;
    $('picture-note').textContent = 'Inputs on the left, the output on the right. Hover a node or an edge for its numbers in full.';
  } else {
    image.removeAttribute('src');
    image.alt = '';
    image.hidden = true;
    frame.hidden = true;
    $('picture-note').textContent = note || `No picture: ${picture.title}. ${picture.detail || ''}`;
  }
}

function fillNodes(nodes, output, inference) {
  const rows = nodes.map((node) => {
    const row = document.createElement('tr');
    row.dataset.id = node.id;
    if (node.id === output) row.className = 'output';
    const id = element('th', node.id);
    id.scope = 'row';
    const value = numberCell('td', node.shownValue, 'num value');
    const grad = numberCell('td', node.shownGrad, 'num grad');
    if (inference) {
      grad.title = 'not computed: inference runs forward only';
      if (node.shownValue === null) value.title = 'not kept: inference drops a value once it has been read';
    }
    row.append(id, element('td', node.label && node.label !== node.id ? node.label : ''), element('td', node.op), value, grad);
    return row;
  });
  $('nodes').tBodies[0].replaceChildren(...rows);
}

function showStats(answer) {
  const s = answer.stats;
  $('stats').textContent = `${answer.mode}: ${s.nodes} nodes, ${s.edges} edges, ${s.cachedPartials} local gradients cached, `
    + `at most ${s.peakLiveValues} values held at once.`;
}

function fillTrace(steps, output) {
  const items = steps.map((step) => {
    const item = document.createElement('li');
    item.append(
      element('span', `\u2202${output}/\u2202${step.input}`, 'grad-name'),
      ' += local ', numberCell('span', step.local, 'local'),
      ' \u00d7 upstream ', numberCell('span', step.upstream, 'upstream'),
      ' = ', numberCell('span', step.product, 'grad'),
      element('span', ` (${step.node} \u2192 ${step.input})`, 'via'));
    return item;
  });
  $('trace').replaceChildren(...items);
}

function showCheck(check) {
  const section = $('check-section');
  if (!check) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const kinks = check.kinks.length ? ` Non-differentiable points (a mismatch there is expected): ${check.kinks.map((k) => `${k.id} (${k.op})`).join(', ')}.` : '';
  const how = check.method === 'direction' ? ' Too many inputs to check one by one: one random direction was checked.' : '';
  $('check-summary').textContent = `${check.passed ? 'Passed' : 'Failed'}: eps ${check.eps}, atol ${check.atol}, rtol ${check.rtol}.${how}${kinks}`;
  const rows = check.leaves.map((leaf) => {
    const row = document.createElement('tr');
    const id = element('th', leaf.id);
    id.scope = 'row';
    row.append(id, numberCell('td', leaf.analytic, 'num'), numberCell('td', leaf.numeric, 'num'), numberCell('td', leaf.absError, 'num'),
      element('td', leaf.passed ? '\u2713 pass' : '\u2717 fail', leaf.passed ? 'pass' : 'fail'));
    return row;
  });
  $('gradcheck').tBodies[0].replaceChildren(...rows);
}

// ---- Errors: the problem's title and detail, next to the expression, the column marked. ----

function showProblem(problem) {
  const parts = [element('strong', problem.title || 'The request failed', 'problem-title')];
  if (problem.detail) parts.push(' ', element('span', problem.detail, 'problem-detail'));
  const column = Number.isInteger(problem.column) ? problem.column : null;
  if (column !== null) {
    const text = expression.value;
    const at = Math.min(column - 1, text.length);
    const marked = element('pre', undefined, 'caret');
    marked.setAttribute('aria-hidden', 'true');
    marked.append(text.slice(0, at), element('mark', text.slice(at, at + 1) || ' '), text.slice(at + 1), '\n', `${' '.repeat(at)}^`);
    if (!String(problem.detail || '').includes(`column ${column}`)) parts.push(element('span', ` (column ${column})`, 'problem-column'));
    parts.push(marked);
    expression.focus();
    expression.setSelectionRange(at, Math.min(at + 1, text.length));
  }
  const extra = Object.entries(problem.errors || {})
    .flatMap(([key, messages]) => messages.map((m) => `${key}: ${m}`))
    .filter((m) => !problem.detail || !problem.detail.includes(m.slice(m.indexOf(': ') + 2)));
  if (extra.length) {
    const list = document.createElement('ul');
    list.append(...extra.map((m) => element('li', m)));
    parts.push(list);
  }
  errorBox.replaceChildren(...parts);
  errorBox.hidden = false;
  results.hidden = true;
  expression.setAttribute('aria-invalid', column !== null || 'expression' in (problem.errors || {}) ? 'true' : 'false');
  expression.setAttribute('aria-describedby', 'expression-help error');
  statusLine.textContent = '';
}

function clearProblem() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
  expression.removeAttribute('aria-invalid');
  expression.setAttribute('aria-describedby', 'expression-help');
}

// ---- Wiring. ----

form.addEventListener('submit', (event) => {
  event.preventDefault();
  run('training');
});
$('inference').addEventListener('click', () => run('inference'));
$('check').addEventListener('click', () => run('check'));
$('add-input').addEventListener('click', () => addInputRow('', '', true));
for (const [name, value] of NEURON_INPUTS) addInputRow(name, value, false);
