export const flip = (sentence) => {
  throw new Error('Remove this statement and implement this function');
};
