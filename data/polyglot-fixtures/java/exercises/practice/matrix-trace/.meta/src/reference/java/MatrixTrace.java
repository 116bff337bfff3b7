class MatrixTrace {

    static int trace(int[][] matrix) {
        int sum = 0;
        for (int value : new Diagonal(matrix).values()) {
            sum += value;
        }
        return sum;
    }
}
