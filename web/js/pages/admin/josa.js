// Korean particles chosen by the last syllable of the word they follow: 이/가, 을/를,
// 은/는, 의 and (으)로. A Hangul syllable has a final consonant (받침) when its offset from
// 가 is not a multiple of 28; ㄹ takes 로, not 으로. Digits and Latin letters are read
// aloud (3 삼, 6 육, "…m" 엠, "…n" 엔, "…l" 엘 end in a consonant). Anything else (a symbol)
// counts as a vowel ending.

const DIGIT_FINAL = { 0: 'n', 1: 'l', 2: '', 3: 'n', 4: '', 5: '', 6: 'n', 7: 'l', 8: 'l', 9: '' };
const LATIN_FINAL = { l: 'l', m: 'n', n: 'n' };

/** '' (no final consonant), 'l' (ㄹ) or 'n' (any other final consonant). */
export function finalOf(word) {
  const text = String(word || '').trim();
  const last = text.charAt(text.length - 1);
  if (!last) return '';
  const code = last.charCodeAt(0);
  if (code >= 0xac00 && code <= 0xd7a3) {
    const final = (code - 0xac00) % 28;
    if (final === 0) return '';
    return final === 8 ? 'l' : 'n';
  }
  if (last >= '0' && last <= '9') return DIGIT_FINAL[last];
  return LATIN_FINAL[last.toLowerCase()] || '';
}

/** `word` with the particle that fits it: kind is '이/가', '을/를', '은/는', '(으)로' or '의'. */
export function josa(word, kind) {
  const final = finalOf(word);
  const has = final !== '';
  switch (kind) {
    case '이/가': return `${word}${has ? '이' : '가'}`;
    case '을/를': return `${word}${has ? '을' : '를'}`;
    case '은/는': return `${word}${has ? '은' : '는'}`;
    case '(으)로': return `${word}${has && final !== 'l' ? '으로' : '로'}`;
    case '의': return `${word}의`;
    default: return String(word);
  }
}
