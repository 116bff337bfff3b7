class RunLength {

    String encode(String data) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < data.length(); i++) {
            if (i == 0 || data.charAt(i) != data.charAt(i - 1)) {
                out.append(data.charAt(i));
            }
        }
        return out.toString();
    }
}
