class Main { public static void main(String[] args) { System.out.println(Main.class); } }
/* @EXPECTED_RESULTS@: ACCEPTED */
