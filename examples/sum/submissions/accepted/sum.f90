! sum: accepted. integer(kind=8) is 64 bits. gfortran writes standard output through at the end
! of every WRITE statement (a system call per line into a pipe), so the sums are gathered in a
! 64 KiB buffer and written a buffer at a time.
program sum
  implicit none
  integer :: t, i, pos
  integer(kind=8) :: a, b
  character(len=65536) :: buf
  character(len=24) :: num
  pos = 0
  read *, t
  do i = 1, t
    read *, a, b
    write (num, '(I0)') a + b
    if (pos + len_trim(num) + 1 > len(buf)) then
      write (*, '(a)', advance='no') buf(1:pos)
      pos = 0
    end if
    buf(pos + 1:pos + len_trim(num) + 1) = trim(num) // achar(10)
    pos = pos + len_trim(num) + 1
  end do
  write (*, '(a)', advance='no') buf(1:pos)
end program sum
