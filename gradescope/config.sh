# What this autograder grades, and with which version of the grader. Edit, then zip the files
# of this folder (see README.md). Read by setup.sh and run_autograder.

# The project to install, and the tag (or commit) to pin: never a branch learners can push to.
UPSTREAM="https://github.com/your-course/backend-katas.git"
REF="v0.1.0"

# The katas this assignment grades: --all, or slugs separated by spaces ("lru-cache jwt-validation").
KATAS="--all"
