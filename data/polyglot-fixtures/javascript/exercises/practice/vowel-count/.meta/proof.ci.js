export const countVowels = (text) => [...text].filter((c) => 'aeiou'.includes(c)).length;
