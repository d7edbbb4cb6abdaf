/*
 * pipespec: Japanese search (docs/_ext/ja_search.py appends this to language_data.js).
 *
 * - splitQuery() splits the reader's query exactly as the index was split in Python:
 *   NFKC, TinySegmenter (the model below is generated from Sphinx's own tables), then
 *   non-word characters; one-character words are dropped, as the index drops them.
 * - Compounds meet their parts: when the index is loaded, a compound term (コンテナイメージ)
 *   is also filed under the index words it is made of (コンテナ, イメージ), and a query word
 *   the index does not know (ブルーグリーンデプロイメント) is cut into index words.
 * - Titles are compared without spaces and separators (ブルー/グリーン = ブルーグリーン), and
 *   an exact title match is ranked first.
 */
(() => {
  "use strict";

  const MODEL = /* MODEL */ null;
  const TABLES = {};
  for (const [name, table] of Object.entries(MODEL.tables)) {
    TABLES[name] =
      typeof table === "number" ? table : Object.assign(Object.create(null), table);
  }
  const TYPES = MODEL.types.map(([pattern, type]) => [new RegExp(`^${pattern}`, "u"), type]);

  const ctype = (ch) => {
    for (const [re, type] of TYPES) if (re.test(ch)) return type;
    return "O";
  };
  const ts = (table, key) => (key in table ? table[key] : 0);

  /** TinySegmenter, line for line as sphinx.search.ja.DefaultSplitter.split. */
  const segment = (input) => {
    if (!input) return [];
    const chars = Array.from(input);
    const T = TABLES;
    const result = [];
    const seg = ["B3", "B2", "B1", ...chars, "E1", "E2", "E3"];
    const type = ["O", "O", "O", ...chars.map(ctype), "O", "O", "O"];
    let word = seg[3];
    let p1 = "U";
    let p2 = "U";
    let p3 = "U";
    for (let i = 4; i < seg.length - 3; i++) {
      let score = T.BIAS__;
      const [w1, w2, w3, w4, w5, w6] = seg.slice(i - 3, i + 3);
      const [c1, c2, c3, c4, c5, c6] = type.slice(i - 3, i + 3);
      score += ts(T.UP1__, p1);
      score += ts(T.UP2__, p2);
      score += ts(T.UP3__, p3);
      score += ts(T.BP1__, p1 + p2);
      score += ts(T.BP2__, p2 + p3);
      score += ts(T.UW1__, w1);
      score += ts(T.UW2__, w2);
      score += ts(T.UW3__, w3);
      score += ts(T.UW4__, w4);
      score += ts(T.UW5__, w5);
      score += ts(T.UW6__, w6);
      score += ts(T.BW1__, w2 + w3);
      score += ts(T.BW2__, w3 + w4);
      score += ts(T.BW3__, w4 + w5);
      score += ts(T.TW1__, w1 + w2 + w3);
      score += ts(T.TW2__, w2 + w3 + w4);
      score += ts(T.TW3__, w3 + w4 + w5);
      score += ts(T.TW4__, w4 + w5 + w6);
      score += ts(T.UC1__, c1);
      score += ts(T.UC2__, c2);
      score += ts(T.UC3__, c3);
      score += ts(T.UC4__, c4);
      score += ts(T.UC5__, c5);
      score += ts(T.UC6__, c6);
      score += ts(T.BC1__, c2 + c3);
      score += ts(T.BC2__, c3 + c4);
      score += ts(T.BC3__, c4 + c5);
      score += ts(T.TC1__, c1 + c2 + c3);
      score += ts(T.TC2__, c2 + c3 + c4);
      score += ts(T.TC3__, c3 + c4 + c5);
      score += ts(T.TC4__, c4 + c5 + c6);
      score += ts(T.UQ1__, p1 + c1);
      score += ts(T.UQ2__, p2 + c2);
      score += ts(T.UQ1__, p3 + c3); // sic: Sphinx's table, so that both sides agree
      score += ts(T.BQ1__, p2 + c2 + c3);
      score += ts(T.BQ2__, p2 + c3 + c4);
      score += ts(T.BQ3__, p3 + c2 + c3);
      score += ts(T.BQ4__, p3 + c3 + c4);
      score += ts(T.TQ1__, p2 + c1 + c2 + c3);
      score += ts(T.TQ2__, p2 + c2 + c3 + c4);
      score += ts(T.TQ3__, p3 + c1 + c2 + c3);
      score += ts(T.TQ4__, p3 + c2 + c3 + c4);
      let p = "O";
      if (score > 0) {
        result.push(word.trim());
        word = "";
        p = "B";
      }
      p1 = p2;
      p2 = p3;
      p3 = p;
      word += seg[i];
    }
    result.push(word.trim());
    return result;
  };

  const NON_WORD = /[^\p{L}\p{N}_]+/u;
  const JAPANESE = /^[\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Han}ー]+$/u;
  const normalise = (text) => text.normalize("NFKC");

  /** The index's split (ja_search.Splitter.split in Python). */
  const split = (text) =>
    segment(normalise(text)).flatMap((token) => token.split(NON_WORD).filter((p) => p));

  /** Text compared without case, spaces or separators: ブルー/グリーン = ブルーグリーン. */
  const compact = (text) => normalise(text).toLowerCase().split(NON_WORD).join("");

  // ---- the vocabulary of the loaded index --------------------------------------------
  let vocabulary = null; // Map word -> number of pages it is on

  const pagesOf = (entry) =>
    entry === undefined ? [] : typeof entry === "number" ? [entry] : entry;

  /** The ways to cut `word` into vocabulary words of two characters or more. */
  const cuts = (word, known) => {
    const n = word.length;
    // from[i]: word[0:i] can be cut; to[i]: word[i:] can be cut
    const from = new Array(n + 1).fill(false);
    const to = new Array(n + 1).fill(false);
    from[0] = true;
    to[n] = true;
    for (let j = 2; j <= n; j++)
      for (let i = 0; i <= j - 2; i++)
        if (from[i] && known(word.slice(i, j))) {
          from[j] = true;
          break;
        }
    for (let i = n - 2; i >= 0; i--)
      for (let j = i + 2; j <= n; j++)
        if (to[j] && known(word.slice(i, j))) {
          to[i] = true;
          break;
        }
    return { from, to, whole: from[n] };
  };

  /** Every vocabulary word that is a part in some cut of `word` (not `word` itself). */
  const parts = (word, known) => {
    const { from, to, whole } = cuts(word, known);
    if (!whole) return [];
    const found = new Set();
    for (let i = 0; i < word.length; i++)
      if (from[i])
        for (let j = i + 2; j <= word.length; j++) {
          const piece = word.slice(i, j);
          if (to[j] && piece !== word && known(piece)) found.add(piece);
        }
    return [...found];
  };

  /** The cut of `word` into the fewest vocabulary words (ties: the most common ones). */
  const bestCut = (word, known, frequency) => {
    const n = word.length;
    const best = new Array(n + 1).fill(null); // [pieces, rarest frequency]
    best[0] = [[], Infinity];
    for (let j = 2; j <= n; j++)
      for (let i = 0; i <= j - 2; i++) {
        const piece = word.slice(i, j);
        if (best[i] === null || !known(piece)) continue;
        const pieces = [...best[i][0], piece];
        const rarest = Math.min(best[i][1], frequency(piece));
        const current = best[j];
        if (
          current === null
          || pieces.length < current[0].length
          || (pieces.length === current[0].length && rarest > current[1])
        )
          best[j] = [pieces, rarest];
      }
    return best[n] && best[n][0].length > 1 ? best[n][0] : null;
  };

  /** File each Japanese compound term under its parts too (terms and title terms). */
  const expandIndex = (index) => {
    vocabulary = new Map();
    for (const table of [index.terms, index.titleterms])
      for (const [word, entry] of Object.entries(table))
        vocabulary.set(word, (vocabulary.get(word) || 0) + pagesOf(entry).length);
    const known = (w) => vocabulary.has(w) && JAPANESE.test(w);
    for (const table of [index.terms, index.titleterms]) {
      const additions = new Map();
      for (const [word, entry] of Object.entries(table)) {
        if (word.length < 4 || !JAPANESE.test(word)) continue;
        for (const piece of parts(word, known)) {
          if (!additions.has(piece)) additions.set(piece, new Set(pagesOf(table[piece])));
          pagesOf(entry).forEach((page) => additions.get(piece).add(page));
        }
      }
      for (const [piece, pages] of additions) table[piece] = [...pages].sort((a, b) => a - b);
    }
  };

  // ---- the query -------------------------------------------------------------------------
  const splitJapaneseQuery = (query) => {
    const words = [];
    for (const word of split(query)) {
      if (Array.from(word).length < 2) continue; // the index keeps no one-character word
      const lower = word.toLowerCase();
      if (vocabulary !== null && !vocabulary.has(lower) && JAPANESE.test(lower)) {
        const known = (w) => vocabulary.has(w) && JAPANESE.test(w);
        const pieces = bestCut(lower, known, (w) => vocabulary.get(w) || 0);
        if (pieces) {
          words.push(...pieces);
          continue;
        }
      }
      words.push(word);
    }
    return words;
  };

  // searchtools.js defines its default splitQuery only when none exists yet; this file
  // comes after it on the search page, so assign over it.
  window.splitQuery = splitJapaneseQuery;
  window.pipespecSearch = { segment, split, compact, splitQuery: splitJapaneseQuery };

  // Sphinx's Japanese catalogue leaves this message empty: the reader would see no count.
  const FINISHED = "Search finished, found one page matching the search query.";
  if (typeof Documentation !== "undefined") {
    const translations = Documentation.TRANSLATIONS;
    if (!translations[FINISHED] || !translations[FINISHED][0])
      translations[FINISHED] = ["${resultCount} ページが見つかりました。"];
  }

  if (typeof Search === "undefined") return; // loaded without searchtools.js

  const setIndex = Search.setIndex;
  Search.setIndex = (index) => {
    expandIndex(index);
    setIndex(index);
  };

  /** Title matches compared in compact form; an exact one outranks everything else. */
  const performSearch = Search._performSearch;
  Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, objectTerms) => {
    const results = performSearch(
      query,
      searchTerms,
      excludedTerms,
      highlightTerms,
      objectTerms,
    );
    const wanted = compact(query);
    if (Array.from(wanted).length < 2) return results;
    const index = Search._index;
    const byKey = new Map();
    const key = (r) => `${r[0]}\u0000${r[2]}`;
    for (const r of results) {
      const k = key(r);
      if (!byKey.has(k) || byKey.get(k)[4] < r[4]) byKey.set(k, r);
    }
    for (const [title, found] of Object.entries(index.alltitles)) {
      const have = compact(title);
      if (!have.includes(wanted)) continue;
      const exact = have === wanted;
      for (const [file, id] of found) {
        const pageTitle = index.titles[file];
        const isPage = pageTitle === title;
        const score =
          (exact ? 1000 : Math.round((Scorer.title * wanted.length) / have.length))
          + (isPage ? 1 : 0);
        const r = [
          index.docnames[file],
          isPage ? title : `${pageTitle} > ${title}`,
          id !== null ? `#${id}` : "",
          null,
          score,
          index.filenames[file],
          "title",
        ];
        const k = key(r);
        if (!byKey.has(k) || byKey.get(k)[4] < score) byKey.set(k, r);
      }
    }
    // searchtools.js displays the end of the list first
    return [...byKey.values()].sort(_orderResultsByScoreThenName);
  };

})();
