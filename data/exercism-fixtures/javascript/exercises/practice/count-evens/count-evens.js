export const countEvens = (numbers) => {
  throw new Error('Remove this statement and implement this function');
};
