const cents = (amount) => Math.round(amount * 100) / 100;

export const total = (items) => cents(items.reduce((sum, { price, quantity }) => sum + price * quantity, 0));
