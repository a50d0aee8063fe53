// Two classes declare main and neither is named after its file: which one runs is not said.
class First {
        public static void main(String[] args) { System.out.println(0); }
}
