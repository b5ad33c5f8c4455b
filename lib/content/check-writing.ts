import type { Nodes } from 'mdast';
import { displayValue } from './check-html';
import { dollarAmountProblem, formulaProblems } from './check-math';
import { parseCodeMeta, splitDiff } from './code-meta';
import type { ContentProblem } from './errors';
import { DIAGRAM_LANGUAGE } from './mdx-contract';

/** `[^label]` left as text: remark-gfm makes a reference only when the label has a definition. */
const UNDEFINED_FOOTNOTE = /(?<!\\)\[\^([^\]\s]+)\]/g;

/**
 * The content rules for footnotes, math and code-fence options, fed every node of a body's tree
 * by analyzeBody (lib/content/mdx.ts) and asked for its findings at the end, when every footnote
 * reference and definition has been seen. Lines are file lines (`lineOffset` frontmatter lines
 * before the body); `body` is the source the tree's offsets point into.
 */
export function writingChecks({ file, body, lineOffset }: { file: string; body: string; lineOffset: number }) {
  const problems: ContentProblem[] = [];
  const footnoteDefinitions = new Map<string, { label: string; line: number | undefined }>();
  const footnoteReferences = new Set<string>();
  let hasMath = false;

  const fileLine = (bodyLine: number | undefined) => (bodyLine === undefined ? undefined : bodyLine + lineOffset);
  const startLine = (node: Nodes) => node.position?.start.line;
  const add = (bodyLine: number | undefined, message: string) => problems.push({ file, line: fileLine(bodyLine), message });

  /** A formula's problems, each at the line of the formula where it is; `firstLine` is the body line the TeX starts on. */
  const checkFormula = (tex: string, firstLine: number | undefined, display: boolean) => {
    hasMath = true;
    for (const problem of formulaProblems(tex, { display })) {
      const within = problem.offset === undefined ? 0 : tex.slice(0, problem.offset).split('\n').length - 1;
      add(firstLine === undefined ? undefined : firstLine + within, problem.message);
    }
  };
  const source = (node: Nodes) => {
    const { start, end } = node.position ?? {};
    return start?.offset === undefined || end?.offset === undefined ? undefined : body.slice(start.offset, end.offset);
  };

  function visit(node: Nodes): void {
    switch (node.type) {
      case 'code': {
        if (!node.lang || node.lang === DIAGRAM_LANGUAGE) return;
        const line = startLine(node);
        // ```math is display math too (rehype-katex typesets it, as GitHub does).
        if (node.lang === 'math') return checkFormula(node.value, line === undefined ? undefined : line + 1, true);
        for (const message of codeMetaProblems(node.meta, node.value)) add(line, message);
        if (!parseCodeMeta(node.meta).diff) return;
        for (const bad of splitDiff(node.value).badLines) {
          const first = node.value.split('\n')[bad - 1]?.[0] ?? '';
          add(
            line === undefined ? undefined : line + bad,
            `diff block line ${bad} starts with "${displayValue(first)}": expected +, - or a space at the start of every line (the marker column)`,
          );
        }
        return;
      }
      case 'math': {
        const line = startLine(node);
        return checkFormula(node.value, line === undefined ? undefined : line + 1, true);
      }
      case 'inlineMath': {
        // The source, not node.value: like a code span, inline math drops one space from each end.
        const written = (source(node) ?? node.value).replace(/^\$+|\$+$/g, '');
        const end = node.position?.end.offset;
        const dollars = dollarAmountProblem(written, end === undefined ? undefined : body[end]);
        if (dollars === undefined) return checkFormula(node.value, startLine(node), false);
        hasMath = true;
        add(startLine(node), dollars);
        return;
      }
      case 'footnoteReference':
        footnoteReferences.add(node.identifier);
        return;
      case 'footnoteDefinition': {
        const label = node.label ?? node.identifier;
        const first = footnoteDefinitions.get(node.identifier);
        if (first === undefined) footnoteDefinitions.set(node.identifier, { label, line: fileLine(startLine(node)) });
        else add(startLine(node), `footnote [^${label}] is defined twice (first on line ${first.line}): readers only see the first; give this note its own label`);
        return;
      }
      case 'text': {
        const text = source(node);
        const line = startLine(node);
        if (text === undefined || line === undefined) return;
        for (const match of text.matchAll(UNDEFINED_FOOTNOTE)) {
          const label = match[1] ?? '';
          add(
            line + text.slice(0, match.index).split('\n').length - 1,
            `footnote reference [^${label}] has no definition: expected a line "[^${label}]: The note." (write \\[^${label}] for the text itself)`,
          );
        }
        return;
      }
      default:
        return;
    }
  }

  function finish(): { problems: ContentProblem[]; hasMath: boolean } {
    for (const [identifier, { label, line }] of footnoteDefinitions) {
      if (footnoteReferences.has(identifier)) continue;
      problems.push({
        file,
        line,
        message: `footnote [^${label}] is defined but never referenced: expected [^${label}] in the text where the note belongs, or remove the definition (readers would never see it)`,
      });
    }
    return { problems, hasMath };
  }

  return { visit, finish };
}

/** What is wrong with a code fence's options, including {…} lines past the end of the block. */
function codeMetaProblems(meta: string | null | undefined, code: string): string[] {
  const parsed = parseCodeMeta(meta);
  const problems = [...parsed.problems];
  const lineCount = code.split('\n').length;
  const past = [...new Set(parsed.highlighted.filter((line) => line > lineCount))];
  if (past.length > 0) {
    const which = past.length === 1 ? `line ${past[0]} is` : `lines ${past.join(', ')} are`;
    problems.push(`code block lines ${parsed.ranges.join(' ')}: ${which} past the end of the block, which has ${lineCount} line${lineCount === 1 ? '' : 's'}`);
  }
  return problems;
}
